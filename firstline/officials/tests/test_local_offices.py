"""create_local_offices over the bundled tables: counts, titles, districts, removals."""

import csv
import io
import shutil

import pytest
from django.core.management import call_command
from django.db.models import Count, Q

from firstline.geo.models import Jurisdiction
from firstline.lib.importing import ImportFailed
from firstline.officials.importers_local import (
    DATA_DIR,
    SHERIFF_CONTACT_SOURCE,
    joined,
    local_offices_create,
    tables_read,
)
from firstline.officials.models import ContactKind, ContactPoint, Office, Role
from firstline.officials.selectors import offices_for_jurisdiction

pytestmark = pytest.mark.django_db


def _titles(ocd_id):
    return {
        o.role: o.title
        for o in Office.objects.filter(jurisdiction__ocd_id=ocd_id, district__isnull=True)
    }


@pytest.mark.parametrize(
    "ocd_id, body",
    [
        ("ocd-division/country:us/state:tx/county:harris", "Harris County Commissioners Court"),
        ("ocd-division/country:us/state:ca/county:los_angeles", "Los Angeles County Board of Supervisors"),
        ("ocd-division/country:us/state:il/county:cook", "Cook County Board of Commissioners"),
        ("ocd-division/country:us/state:la/parish:jefferson", "Jefferson Parish Council"),
        ("ocd-division/country:us/state:ny/county:erie", "Erie County Legislature"),
        ("ocd-division/country:us/state:ky/county:jefferson", "Louisville Metro Council"),
    ],
)  # fmt: skip
def test_spot_check_county_titles(ocd_id, body):
    titles = _titles(ocd_id)
    assert titles[Role.COUNTY_BOARD] == body
    assert titles[Role.SHERIFF].startswith("Sheriff of ")


def test_spanish_titles_and_prosecutors():
    harris = Office.objects.get(
        jurisdiction__ocd_id="ocd-division/country:us/state:tx/county:harris",
        role=Role.COUNTY_BOARD,
    )
    assert harris.title_es == "Tribunal de Comisionados del Condado de Harris"
    cook = _titles("ocd-division/country:us/state:il/county:cook")
    assert cook[Role.DISTRICT_ATTORNEY] == "Cook County State's Attorney"


def test_counts_reach_the_national_targets():
    counts = dict(
        Office.objects.filter(district__isnull=True)
        .values_list("role")
        .annotate(n=Count("id"))
        .values_list("role", "n")
    )
    assert counts[Role.COUNTY_BOARD] >= 3090
    assert counts[Role.SHERIFF] >= 2900
    assert counts[Role.DISTRICT_ATTORNEY] >= 2000
    assert counts[Role.PLACE_BOARD] >= 19000


def test_every_county_has_a_prosecutor_where_the_state_elects_one():
    tables = tables_read()
    local = [u for u, r in tables.states.items() if r.prosecutor_unit != "state"]
    counties = Jurisdiction.objects.filter(kind="county", usps__in=local)
    without = counties.exclude(
        Q(offices__role=Role.DISTRICT_ATTORNEY) | Q(covering_offices__role=Role.DISTRICT_ATTORNEY)
    ).exclude(lsad__in=["census area", "planning region"])
    assert list(without.values_list("name", "usps")[:20]) == []


def test_a_multi_county_district_is_one_office_listed_in_each_county():
    office = (
        Office.objects.filter(role=Role.DISTRICT_ATTORNEY)
        .annotate(n=Count("covers"))
        .filter(n__gt=1, jurisdiction__usps="FL")
        .first()
    )
    assert office is not None
    for county in office.covers.all():
        assert office in offices_for_jurisdiction(jurisdiction=county)


def test_oklahoma_keeps_a_district_attorney_per_county_until_its_districts_are_sourced():
    # 25 of its 27 DA districts are sourced (data/officials/README.md); until all are, each
    # county keeps its own office, and Pawnee is not folded into Tulsa (it is DA District 10).
    tables = tables_read()
    assert tables.states["OK"].prosecutor_unit == "county"
    assert [d.key for d in tables.districts if d.usps == "OK"] == []
    offices = Office.objects.filter(
        role=Role.DISTRICT_ATTORNEY, jurisdiction__usps="OK", jurisdiction__kind="county"
    )
    assert offices.count() == 77
    assert not offices.filter(covers__isnull=False).exists()
    tulsa = _titles("ocd-division/country:us/state:ok/county:tulsa")
    pawnee = _titles("ocd-division/country:us/state:ok/county:pawnee")
    assert tulsa[Role.DISTRICT_ATTORNEY] == "Tulsa County District Attorney"
    assert pawnee[Role.DISTRICT_ATTORNEY] == "Pawnee County District Attorney"


def test_sheriff_contacts_are_unverified_with_their_source():
    contacts = ContactPoint.objects.filter(office__role=Role.SHERIFF, note="unverified")
    assert contacts.count() > 800
    assert all("287g-watch" in c.source and c.verified_on is None for c in contacts[:50])
    assert contacts.filter(office__jurisdiction__usps="GA").exists()


SHERIFFS, CITY_HALLS = "tx_sheriffs.csv", "tx_city_halls.csv"
KERR = "ocd-division/country:us/state:tx/county:kerr"
CORPUS_CHRISTI = "ocd-division/country:us/state:tx/place:corpus_christi"


def _bundled_rows(name):
    with (DATA_DIR / name).open(encoding="utf-8") as handle:
        return {row["jurisdiction"]: row for row in csv.DictReader(handle)}


def _tx_sheriff_rows():
    return _bundled_rows(SHERIFFS)


def _contacts_as_bundled(name, role, ocd_id):
    """The office's contacts are the file's row's, unverified, with the row's source."""
    row = _bundled_rows(name)[ocd_id]
    office = Office.objects.get(
        jurisdiction__ocd_id=ocd_id, role=role, district__isnull=True, seat=1
    )
    contacts = {c.kind: c for c in office.contacts.all()}
    assert contacts[ContactKind.ADDRESS].value == row["address"]
    assert contacts[ContactKind.PHONE].value == row["phone"]
    for contact in contacts.values():
        assert contact.note == "unverified" and contact.verified_on is None
        assert contact.classification == "bundled" and contact.source == row["source"]
    return row


def test_a_texas_sheriffs_office_has_the_bundled_postal_address_and_phone():
    row = _contacts_as_bundled(SHERIFFS, Role.SHERIFF, KERR)
    # The county's own sheriff page gives the same office (kerrcountysheriff.org).
    assert row["address"] == "400 CLEARWATER PASEO, KERRVILLE, TX 78028"
    assert row["phone"] == "830-896-1216"
    assert "hifld" in row["source"].lower()


def test_every_bundled_texas_row_reached_its_sheriffs_office():
    rows = _tx_sheriff_rows()
    loaded = dict(
        ContactPoint.objects.filter(
            office__role=Role.SHERIFF, office__jurisdiction__usps="TX", kind=ContactKind.ADDRESS
        ).values_list("office__jurisdiction__ocd_id", "value")
    )
    assert len(rows) > 200
    assert loaded == {ocd_id: row["address"] for ocd_id, row in rows.items()}


def _tables_with(tmp_path, text, name=SHERIFFS):
    directory = tmp_path / "officials"
    shutil.copytree(DATA_DIR, directory)
    (directory / name).write_text(text, encoding="utf-8")
    return directory


HEADER = "jurisdiction,role,district,name,email,phone,address,source,verified_on\n"


def test_a_contact_row_for_a_county_that_does_not_exist_changes_nothing(tmp_path):
    directory = _tables_with(
        tmp_path,
        HEADER
        + f'{KERR},sheriff,,,,830-555-0100,"1 Main St, Kerrville, TX",test source,\n'
        + "ocd-division/country:us/state:tx/county:atlantis,sheriff,,,,555-0100,,test source,\n",
    )
    before = set(ContactPoint.objects.values_list("pk", "value"))
    with pytest.raises(ImportFailed) as failed:
        call_command("create_local_offices", directory=str(directory), stdout=io.StringIO())
    assert (failed.value.line, failed.value.field) == (3, "jurisdiction")
    assert str(failed.value.file).endswith("tx_sheriffs.csv")
    assert set(ContactPoint.objects.values_list("pk", "value")) == before


@pytest.mark.parametrize(
    "name, row, field",
    [
        (SHERIFFS, f"{KERR},sheriff,,Jane Doe,,555-0100,,test source,", "name"),
        (SHERIFFS, f"{KERR},mayor,,,,555-0100,,test source,", "role"),
        (SHERIFFS, f"{KERR},sheriff,,,,555-0100,,,", "source"),
        (SHERIFFS, f"{KERR},sheriff,,,,,,test source,", "address"),
        (SHERIFFS, f"{KERR},sheriff,,,,555-0100,,test source,yesterday", "verified_on"),
        (CITY_HALLS, f"{KERR},sheriff,,,,555-0100,,test source,", "role"),
        (CITY_HALLS, f"{CORPUS_CHRISTI},mayor,,Jane Doe,,555-0100,,test source,", "name"),
        (CITY_HALLS, f"{CORPUS_CHRISTI},mayor,,,mayor at city hall,,,test source,", "email"),
    ],
)
def test_a_malformed_contact_row_is_refused_with_its_line_and_field(tmp_path, name, row, field):
    directory = _tables_with(tmp_path, HEADER + row + "\n", name=name)
    with pytest.raises(ImportFailed) as failed:
        tables_read(directory)
    assert (failed.value.line, failed.value.field) == (2, field)
    assert str(failed.value.file).endswith(name)


def test_a_texas_mayors_office_has_the_bundled_city_hall_address_and_phone():
    row = _contacts_as_bundled(CITY_HALLS, Role.MAYOR, CORPUS_CHRISTI)
    # As the city's Mayor and City Council page gives them.
    assert row["address"] == "1201 Leopard Street, Corpus Christi, TX 78401"
    assert row["phone"] == "(361) 826-3105"
    assert "cctexas.com" in row["source"]


def test_every_bundled_city_hall_row_reached_its_mayors_office():
    rows = _bundled_rows(CITY_HALLS)
    loaded = set(
        ContactPoint.objects.filter(
            office__role=Role.MAYOR, office__jurisdiction__usps="TX", classification="bundled"
        ).values_list("office__jurisdiction__ocd_id", "kind", "value", "source")
    )
    expected = {
        (ocd_id, kind, row[column], row["source"])
        for ocd_id, row in rows.items()
        for kind, column in (
            (ContactKind.EMAIL, "email"),
            (ContactKind.PHONE, "phone"),
            (ContactKind.ADDRESS, "address"),
        )
        if row[column]
    }
    assert len(rows) >= 15
    assert loaded == expected


def test_a_mayor_row_for_a_place_without_a_mayors_office_is_refused(tmp_path):
    # A Texas place under 10,000 people that nobody gave a mayor's seat.
    place = (
        Jurisdiction.objects.filter(usps="TX", kind="place")
        .exclude(offices__role=Role.MAYOR)
        .order_by("ocd_id")
        .first()
    )
    assert place is not None
    directory = _tables_with(
        tmp_path,
        HEADER
        + f'{CORPUS_CHRISTI},mayor,,,,361-555-0100,"1 Main St, Corpus Christi, TX",test source,\n'
        + f'{place.ocd_id},mayor,,,,555-0100,"1 Main St",test source,\n',
        name=CITY_HALLS,
    )
    before = set(ContactPoint.objects.values_list("pk", "value"))
    with pytest.raises(ImportFailed) as failed:
        call_command("create_local_offices", directory=str(directory), stdout=io.StringIO())
    assert (failed.value.line, failed.value.field) == (3, "jurisdiction")
    assert str(failed.value.file).endswith(CITY_HALLS)
    assert set(ContactPoint.objects.values_list("pk", "value")) == before


def test_invented_county_executives_are_gone_and_real_ones_remain():
    executives = set(
        Office.objects.filter(role=Role.COUNTY_EXECUTIVE).values_list(
            "jurisdiction__name", "jurisdiction__usps"
        )
    )
    for invented in [("Jackson County", "FL"), ("Macon County", "GA"), ("Charles County", "MD"), ("Chesterfield County", "VA")]:  # fmt: skip
        assert invented not in executives
    assert ("Baltimore County", "MD") in executives
    assert ("Nassau County", "NY") in executives


def test_second_run_is_all_noops():
    out = io.StringIO()
    call_command("create_local_offices", stdout=out)
    first = out.getvalue().splitlines()[0]
    assert "inserted=0 updated=0" in first and "ended" not in first, first


def test_a_reload_keeps_contacts_staff_entered_and_replaces_the_old_bundled_ones():
    office = Office.objects.get(
        jurisdiction__ocd_id="ocd-division/country:us/state:tx/county:kerr",
        role=Role.SHERIFF,
        district__isnull=True,
        seat=1,
    )
    bundled = set(office.contacts.values_list("kind", "value", "classification"))
    assert bundled and {c for _k, _v, c in bundled} == {"bundled"}
    mine = ContactPoint.objects.create(
        office=office,
        kind=ContactKind.EMAIL,
        classification="office",
        value="records@kerr.example.org",
        source="telephoned the office, 2026-12-01",
    )
    # A row as loads before "bundled" wrote it: the same 287g-watch source, as "office".
    legacy = ContactPoint.objects.create(
        office=office,
        kind=ContactKind.PHONE,
        classification="office",
        value="000-000-0000",
        source=SHERIFF_CONTACT_SOURCE,
    )
    call_command("create_local_offices", stdout=io.StringIO())
    assert ContactPoint.objects.filter(pk=mine.pk).exists()
    assert not ContactPoint.objects.filter(pk=legacy.pk).exists()
    assert (
        set(office.contacts.exclude(pk=mine.pk).values_list("kind", "value", "classification"))
        == bundled
    )


def test_an_office_the_tables_no_longer_call_for_is_removed(tmp_path):
    harris = Jurisdiction.objects.get(ocd_id="ocd-division/country:us/state:tx/county:harris")
    # Harris has a County Judge from the overrides: it stays; a second seat does not exist.
    ghost = Office.objects.create(
        jurisdiction=harris,
        role=Role.COUNTY_EXECUTIVE,
        seat=2,
        title="Invented",
        source="create_local_offices x",
    )
    counts = local_offices_create()
    assert not Office.objects.filter(pk=ghost.pk).exists()
    assert counts.deleted >= 1


def test_joined_does_not_double_the_kind_word():
    assert joined("Erie County", "County Legislature") == "Erie County Legislature"
    assert joined("Harris County", "Commissioners Court") == "Harris County Commissioners Court"
    assert (
        joined("Juneau City and Borough", "Borough Assembly") == "Juneau City and Borough Assembly"
    )
