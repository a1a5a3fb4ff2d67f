"""The v2 evidence importer on small fixture directories: upserts, removals, refusals."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.management import call_command

from firstline.lib.importing import ImportFailed
from firstline.policies.evidence_importer import import_evidence_dir
from firstline.policies.models import Instrument, LegalEvent, PolicyRecord, ResearchCheck

pytestmark = pytest.mark.django_db

STATE = """\
jurisdiction: ocd-division/country:us/state:vt
as_of: 2026-12-01
researched_by: Test team
instruments:
  - id: vt-test-act-2017
    kind: statute
    title: Test Act
    citation: "Act 99 (2017)"
    url: https://legislature.vermont.gov/test
    source_type: legislature
    status: enacted
    enacted_on: 2017-03-28
    confidence: verified
    summary: A test law.
    provisions:
      - policy: decline_detainers
        section: "Sec. 1(a)"
        extent: full
      - policy: limit_data_sharing
        section: "Sec. 2"
        extent: partial
    events:
      - kind: enjoined
        date: 2018-01-02
        body: Test Court
        reference: "Doe v. Vermont"
        url: https://court.example/doe
        source_type: court
        provisions: [limit_data_sharing]
research:
  - policy: universal_representation
    checked_on: 2026-12-01
    where: "Vermont statutes online"
"""


def write(tmp_path: Path, text: str = STATE, name: str = "vt.yaml") -> Path:
    (tmp_path / "states").mkdir(exist_ok=True)
    (tmp_path / "states" / name).write_text(text)
    return tmp_path


def snapshot() -> tuple[int, int, int, int, int]:
    return (
        Instrument.objects.count(),
        PolicyRecord.objects.count(),
        LegalEvent.objects.count(),
        ResearchCheck.objects.count(),
        sum(
            PolicyRecord.objects.filter(instrument__slug="vt-test-act-2017").values_list(
                "id", flat=True
            )
        ),
    )


def test_upsert_is_idempotent_and_derives_statuses(tmp_path: Path) -> None:
    directory = write(tmp_path)
    # The fixture is the whole evidence now: the bundled provisions are withdrawn.
    first = import_evidence_dir(directory, today=dt.date(2026, 12, 6))
    assert first.inserted >= 4 and first.changed  # instrument, 2 provisions, event (+ research)
    again = import_evidence_dir(directory, today=dt.date(2026, 12, 6))
    assert (again.inserted, again.updated) == (0, 0) and again.noop >= 5
    statuses = dict(
        PolicyRecord.objects.filter(instrument__slug="vt-test-act-2017").values_list(
            "policy__slug", "status"
        )
    )
    assert statuses == {"decline_detainers": "in_force", "limit_data_sharing": "enjoined"}
    record = PolicyRecord.objects.get(
        instrument__slug="vt-test-act-2017", policy__slug="limit_data_sharing"
    )
    assert (record.section, record.extent, record.key) == (
        "Sec. 2",
        "partial",
        "instrument:vt-test-act-2017",
    )
    assert Instrument.objects.get(slug="vt-test-act-2017").versions.count() == 1
    assert ResearchCheck.objects.filter(
        jurisdiction__ocd_id="ocd-division/country:us/state:vt",
        policy__slug="universal_representation",
    ).exists()


def test_removed_provision_is_withdrawn_with_a_version_and_removed_event_is_ended(
    tmp_path: Path,
) -> None:
    directory = write(tmp_path)
    import_evidence_dir(directory, today=dt.date(2026, 12, 6))
    trimmed = (
        STATE.split("    events:")[0].replace(
            """      - policy: limit_data_sharing
        section: "Sec. 2"
        extent: partial
""",
            "",
        )
        + STATE.split("        provisions: [limit_data_sharing]\n")[1]
    )
    write(tmp_path, trimmed)
    counts = import_evidence_dir(directory, today=dt.date(2026, 12, 6))
    assert counts.deleted == 1  # the event
    record = PolicyRecord.objects.get(
        instrument__slug="vt-test-act-2017", policy__slug="limit_data_sharing"
    )
    assert record.status == "withdrawn"
    assert (
        record.versions.count() == 2
        and "No longer in the bundled evidence" in record.versions.first().why
    )
    assert not LegalEvent.objects.filter(instrument__slug="vt-test-act-2017").exists()


@pytest.mark.parametrize(
    ("old", "new", "line", "field"),
    [
        ("policy: decline_detainers", "policy: no_such_policy", 16, "policy"),
        ('section: "Sec. 2"', 'section: ""', 20, "section"),
        ("date: 2018-01-02", "date: 2016-01-02", 24, "date"),
        (
            "jurisdiction: ocd-division/country:us/state:vt",
            "jurisdiction: ocd-division/country:us/state:zz",
            1,
            "jurisdiction",
        ),
        ("status: enacted", "status: signed", 11, "status"),
        ("extent: full", "extent: most", 18, "extent"),
        ("kind: enjoined", "kind: paused", 23, "kind"),
        ("source_type: court", "source_type: blog", 28, "source_type"),
        ("enacted_on: 2017-03-28", "enacted_on: 2017-13-28", 12, "enacted_on"),
    ],
)
def test_malformed_files_are_refused_with_file_line_field_and_nothing_changes(
    tmp_path: Path, old: str, new: str, line: int, field: str
) -> None:
    assert old in STATE
    directory = write(tmp_path, STATE.replace(old, new, 1))
    before = snapshot()
    with pytest.raises(ImportFailed) as caught:
        call_command("import_evidence", str(directory), verbosity=0)
    assert caught.value.field == field
    assert caught.value.line == line
    assert str(caught.value.file).endswith("states/vt.yaml")
    assert snapshot() == before


def test_duplicate_ids_across_files_are_refused(tmp_path: Path) -> None:
    directory = write(tmp_path)
    (tmp_path / "local").mkdir()
    (tmp_path / "local" / "vt.yaml").write_text(
        STATE.replace(
            "jurisdiction: ocd-division/country:us/state:vt",
            "jurisdiction: ocd-division/country:us/state:vt\n",
            1,
        )
    )
    before = snapshot()
    with pytest.raises(ImportFailed, match="duplicate id 'vt-test-act-2017'") as caught:
        import_evidence_dir(directory)
    assert caught.value.field == "id" and caught.value.line == 6
    assert snapshot() == before


def test_dry_run_changes_nothing(tmp_path: Path) -> None:
    directory = write(tmp_path)
    before = snapshot()
    call_command("import_evidence", str(directory), "--dry-run", verbosity=0)
    assert snapshot() == before
