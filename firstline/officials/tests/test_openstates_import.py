"""Malformed input, re-import of a newer snapshot, multi-member seat stability."""

import tarfile
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from firstline.lib.importing import ImportFailed
from firstline.officials.models import ContactPoint, Office, Person, Term
from firstline.officials.openstates_importers import BUNDLED_SNAPSHOT

pytestmark = pytest.mark.django_db


def _extract(tmp_path: Path, state: str) -> Path:
    """The real files of one state, in the upstream layout, under tmp_path/people."""
    root = tmp_path / "people"
    with tarfile.open(BUNDLED_SNAPSHOT) as archive:
        members = [m for m in archive.getmembers() if m.name.startswith(f"data/{state}/")]
        archive.extractall(root, members=members, filter="data")
    return root


def _snapshot():
    return (
        Person.objects.count(),
        Term.objects.filter(end_date__isnull=True).count(),
        ContactPoint.objects.count(),
        Office.objects.count(),
    )


def test_truncated_yaml_fails_naming_the_file_and_changes_nothing(tmp_path):
    root = _extract(tmp_path, "tx")
    files = sorted((root / "data/tx/legislature").glob("*.yml"))
    victim = files[10]
    raw = victim.read_bytes()
    victim.write_bytes(
        raw[: raw.index(b"roles:") + 20] + b"\n  district: '3"
    )  # cut inside a quoted scalar
    # Edit another file too, so a partial write would show.
    other = files[0]
    other.write_text(other.read_text().replace("email:", "email: changed-", 1))
    before = _snapshot()
    with pytest.raises(ImportFailed) as info:
        call_command("import_openstates", str(root), "--as-of", "2026-09-01", stdout=StringIO())
    message = str(info.value)
    assert victim.name in message and "malformed YAML" in message and "line" in message
    assert _snapshot() == before
    assert not ContactPoint.objects.filter(value__startswith="changed-").exists()


def test_missing_roles_is_named_as_the_field(tmp_path):
    root = _extract(tmp_path, "de")
    victim = sorted((root / "data/de/legislature").glob("*.yml"))[0]
    text = victim.read_text()
    victim.write_text(
        text[: text.index("roles:")]
    )  # truncated at a line boundary: valid YAML, no roles
    with pytest.raises(ImportFailed, match=r"field 'roles'") as info:
        call_command("import_openstates", str(root), stdout=StringIO())
    assert victim.name in str(info.value)


def test_newer_snapshot_ends_departed_terms_and_updates_changed_email(tmp_path):
    root = _extract(tmp_path, "tx")
    folder = root / "data/tx/legislature"
    departed_file, changed_file = sorted(folder.glob("*.yml"))[:2]
    departed = yaml.safe_load(departed_file.read_text())
    changed = yaml.safe_load(changed_file.read_text())
    departed_file.unlink()
    old_email = changed["email"]
    changed_file.write_text(changed_file.read_text().replace(old_email, "new.address@example.gov"))
    outside = Term.objects.filter(end_date__isnull=True, office__jurisdiction__usps="CA").count()

    out = StringIO()
    call_command("import_openstates", str(root), "--as-of", "2026-09-01", stdout=out)
    assert "ended=1" in out.getvalue().splitlines()[0]

    term = Term.objects.get(
        person__ocd_person_id=departed["id"],
        office__district__isnull=False,
        start_date__isnull=False,
        end_reason__startswith="Not in",
    )
    assert str(term.end_date) == "2026-09-01"
    assert term.end_reason == "Not in the Open States snapshot of 2026-09-01"
    emails = list(
        ContactPoint.objects.filter(person__ocd_person_id=changed["id"], kind="email").values_list(
            "value", flat=True
        )
    )
    assert emails == ["new.address@example.gov"]
    # Other states are not in this snapshot, so their terms are left alone.
    assert (
        Term.objects.filter(end_date__isnull=True, office__jurisdiction__usps="CA").count()
        == outside
    )

    again = StringIO()
    call_command("import_openstates", str(root), "--as-of", "2026-09-01", stdout=again)
    first = again.getvalue().splitlines()[0]
    assert " inserted=0 updated=0 " in first and "ended=" not in first, first


def test_multi_member_seats_stay_put_when_a_colleague_leaves(tmp_path):
    root = _extract(tmp_path, "az")
    house = Office.objects.filter(
        jurisdiction__usps="AZ", role="state_representative", district__name="1"
    )
    holders = {
        t.person.ocd_person_id: t.office.seat
        for t in Term.objects.filter(office__in=house, end_date__isnull=True).select_related(
            "person", "office"
        )
    }
    assert sorted(holders.values()) == [1, 2]
    leaving = next(pid for pid, seat in holders.items() if seat == 1)
    staying = next(pid for pid, seat in holders.items() if seat == 2)
    for path in (root / "data/az/legislature").glob("*.yml"):
        if leaving.split("/")[1] in path.name:
            path.unlink()
    call_command("import_openstates", str(root), "--as-of", "2026-09-01", stdout=StringIO())
    now = {
        t.person.ocd_person_id: t.office.seat
        for t in Term.objects.filter(office__in=house, end_date__isnull=True).select_related(
            "person", "office"
        )
    }
    assert now == {staying: 2}


def test_dry_run_changes_nothing(tmp_path):
    root = _extract(tmp_path, "tx")
    first = sorted((root / "data/tx/legislature").glob("*.yml"))[0]
    first.unlink()
    before = _snapshot()
    out = StringIO()
    call_command("import_openstates", str(root), "--dry-run", stdout=out)
    assert out.getvalue().startswith("[dry-run] import_openstates:")
    assert _snapshot() == before
