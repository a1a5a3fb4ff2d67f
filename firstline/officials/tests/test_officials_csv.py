from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from firstline.geo.models import Jurisdiction, JurisdictionKind
from firstline.lib.importing import ImportFailed
from firstline.officials.importers_csv import COLUMNS, officials_csv_import
from firstline.officials.models import ContactPoint, Office, Person, Role, Term

HEADER = ",".join(COLUMNS) + "\n"


def _county(
    slug: str = "travis", name: str = "Travis County", geoid: str = "48453"
) -> Jurisdiction:
    texas, _ = Jurisdiction.objects.get_or_create(
        ocd_id="ocd-division/country:us/state:tx",
        defaults={
            "kind": JurisdictionKind.STATE,
            "name": "Texas",
            "short_name": "Texas",
            "geoid": "48",
            "usps": "TX",
        },
    )
    county, _ = Jurisdiction.objects.get_or_create(
        ocd_id=f"{texas.ocd_id}/county:{slug}",
        defaults={"kind": JurisdictionKind.COUNTY, "name": name, "short_name": name.split()[0], "geoid": geoid,
                  "usps": "TX", "state": texas},
    )  # fmt: skip
    return county


def _run(text: str):
    return officials_csv_import(stream=io.StringIO(HEADER + text))


@pytest.mark.django_db
def test_roster_import_is_idempotent_and_tracks_changes():
    county = _county()
    rows = (
        f'{county.ocd_id},county_commissioner,2,Ana Example,ana@example.org,555-0100,"700 Lavaca St, Austin",roster A,2026-11-01\n'
        '"Travis County, TX",sheriff,,,,,"5555 Airport Blvd, Austin",roster A,\n'
    )
    first = _run(rows)
    # The commissioner's seat is new; the sheriff's exists (create_local_offices) and gains an address.
    assert (first.inserted, first.updated, first.noop) == (1, 1, 0)
    commissioner = Office.objects.get(jurisdiction=county, role=Role.COUNTY_COMMISSIONER, seat=2)
    assert commissioner.title == "County Commissioner, Travis County (seat 2)"
    sheriff = Office.objects.get(jurisdiction=county, role=Role.SHERIFF, seat=1)
    assert sheriff.title == "Sheriff of Travis County"
    # Vacant seat: the address belongs to the office.
    assert ContactPoint.objects.get(office=sheriff).value.startswith("5555 Airport")
    term = Term.objects.get(office=commissioner)
    assert term.person.name == "Ana Example" and term.end_date is None
    email = ContactPoint.objects.get(person=term.person, kind="email")
    assert str(email.verified_on) == "2026-11-01" and email.source == "roster A"

    again = _run(rows)
    assert (again.inserted, again.updated, again.noop) == (0, 0, 2)

    changed = _run(rows.replace("ana@example.org", "ana.e@example.org"))
    assert (changed.inserted, changed.updated, changed.noop) == (0, 1, 1)
    assert list(
        ContactPoint.objects.filter(person=term.person, kind="email").values_list(
            "value", flat=True
        )
    ) == ["ana.e@example.org"]

    # A new holder ends the roster's earlier term.
    _run(rows.replace("Ana Example", "Bo Example"))
    assert Term.objects.get(office=commissioner, person__name="Ana Example").end_date is not None
    assert Term.objects.get(office=commissioner, end_date__isnull=True).person.name == "Bo Example"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("row", "line", "field"),
    [
        ("ocd-division/country:us/state:zz/county:nowhere,sheriff,,,,,,src,\n", 2, "jurisdiction"),
        ("48453,dogcatcher,,,,,,src,\n", 2, "role"),
        ("48453,sheriff,,,not-an-email,,,src,\n", 2, "email"),
        ("48453,sheriff,,,,,,src,11/02/2026\n", 2, "verified_on"),
        ("48453,sheriff,,,,,,,\n", 2, "source"),
        ("48453,council_member,north,,,,,src,\n", 2, "district"),
        ("48453,sheriff,,,,,,src,\n48453,sheriff,,,,,,src,\n", 3, "district"),
    ],
)
def test_errors_name_the_row_and_column_and_change_nothing(row, line, field):
    _county()
    before = (Office.objects.count(), Person.objects.count())
    with pytest.raises(ImportFailed) as info:
        _run(row)
    assert info.value.line == line and info.value.field == field
    assert f"line {line}" in str(info.value) and repr(field) in str(info.value)
    assert (Office.objects.count(), Person.objects.count()) == before


@pytest.mark.django_db
def test_command_dry_run_and_template(tmp_path: Path):
    _county()
    path = tmp_path / "roster.csv"
    path.write_text(
        HEADER + "48453,county_commissioner,3,Sally Example,sally@example.org,,,roster,2026-11-02\n"
    )
    out = io.StringIO()
    call_command("import_officials_csv", str(path), "--dry-run", stdout=out)
    assert (
        "inserted=1" in out.getvalue() and not Person.objects.filter(name="Sally Example").exists()
    )
    call_command("import_officials_csv", str(path), stdout=out)
    assert Person.objects.filter(name="Sally Example").exists()
    header = (Path(settings.DATA_DIR) / "officials" / "template.csv").read_text().splitlines()[0]
    assert header.split(",") == list(COLUMNS)
