"""The statewide executives overlay: current holders, ended stale terms, unconfirmed holders."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from firstline.lib.importing import ImportFailed
from firstline.officials.importers_statewide import COLUMNS, statewide_overlay_apply
from firstline.officials.models import Office, Person, Role, Term
from firstline.officials.selectors import office_current_holder, offices_for_jurisdiction

pytestmark = pytest.mark.django_db
HEADER = ",".join([*COLUMNS, "note"]) + "\n"


def _write(tmp_path, body):
    path = tmp_path / "statewide_executives.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_overlay_sets_the_holder_and_ends_the_stale_term(tmp_path):
    office = Office.objects.get(jurisdiction__usps="NJ", role=Role.GOVERNOR)
    before = list(Term.objects.filter(office=office, end_date__isnull=True))
    assert before  # the bundled overlay's governor
    path = _write(
        tmp_path,
        "NJ,governor,Test Successor,Test,Successor,Independent,2026-11-01,2030-01-15,,"
        "https://www.nj.gov/governor/,2026-12-06,yes,\n",
    )
    counts = statewide_overlay_apply(path=path)
    holder = office_current_holder(office=office)
    assert holder is not None and holder.name == "Test Successor"
    term = Term.objects.get(office=office, end_date__isnull=True)
    assert term.verified_on == dt.date(2026, 12, 6) and "nj.gov" in term.source
    for old in before:
        old.refresh_from_db()
        assert old.end_date == dt.date(2026, 11, 1)
    assert counts.deleted == len(before)
    again = statewide_overlay_apply(path=path)
    assert (again.inserted, again.updated, again.noop) == (0, 0, 1)


def test_open_states_reimport_keeps_what_the_overlay_ended(tmp_path):
    path = _write(
        tmp_path,
        "VA,governor,Test Governor,Test,Governor,Independent,2026-11-02,2030-01-12,,"
        "https://www.governor.virginia.gov/,2026-12-06,yes,\n",
    )
    statewide_overlay_apply(path=path)
    out = io.StringIO()
    call_command("import_openstates", stdout=out)
    office = Office.objects.get(jurisdiction__usps="VA", role=Role.GOVERNOR)
    assert [t.person.name for t in Term.objects.filter(office=office, end_date__isnull=True)] == [
        "Test Governor"
    ]


def test_unconfirmed_holder_is_reported_and_shown(tmp_path):
    path = _write(
        tmp_path,
        "DC,mayor,Muriel Bowser,Muriel,Bowser,Democratic,2023-01-02,2025-01-02,,"
        "https://mayor.dc.gov/,2026-12-06,no,scheduled end passed\n",
    )
    counts = statewide_overlay_apply(path=path)
    assert any("unconfirmed: DC mayor Muriel Bowser" in n for n in counts.notes)
    office = Office.objects.get(jurisdiction__usps="DC", role=Role.MAYOR)
    term = Term.objects.get(office=office, end_date__isnull=True)
    assert term.unconfirmed_since(dt.date(2026, 12, 6)) == dt.date(2025, 1, 2)
    # The page says "holder unconfirmed since", not vacant.
    from django.template.loader import render_to_string

    html = render_to_string(
        "officials/_jurisdiction_offices.html",
        {"offices": offices_for_jurisdiction(jurisdiction=office.jurisdiction)},
    )
    assert "Muriel Bowser" in html and "holder unconfirmed since" in html


def test_a_bad_row_names_file_line_and_field(tmp_path):
    path = _write(
        tmp_path,
        "TX,governor,Greg Abbott,Greg,Abbott,R,2015-01-20,not-a-date,,https://gov.texas.gov/,,yes,\n",
    )
    with pytest.raises(ImportFailed, match=r"line 2.*scheduled_end"):
        statewide_overlay_apply(path=path)
    path = _write(tmp_path, "TX,mayor,X,X,X,R,,,,https://x.example/,,yes,\n")
    with pytest.raises(ImportFailed, match="only DC"):
        statewide_overlay_apply(path=path)
    assert not Person.objects.filter(name="X").exists()
