"""The bundled national load (done once per session by conftest) and the importers' contract."""

from __future__ import annotations

import gzip
import io
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum

from firstline.geo.importers import DEFAULT_DIR, PLACES_FILE, ZCTA_COUNTIES_FILE
from firstline.geo.models import Jurisdiction, JurisdictionKind, Zcta, ZctaJurisdiction
from firstline.lib.importing import ImportFailed

pytestmark = pytest.mark.django_db

STATE = JurisdictionKind.STATE
COUNTY = JurisdictionKind.COUNTY
PLACE = JurisdictionKind.PLACE


def get(kind: str, geoid: str) -> Jurisdiction:
    return Jurisdiction.objects.select_related("state", "county").get(kind=kind, geoid=geoid)


def test_national_counts() -> None:
    assert Jurisdiction.objects.filter(kind=STATE).count() == 51
    assert Jurisdiction.objects.filter(kind=COUNTY).count() >= 3140
    assert Jurisdiction.objects.filter(kind=PLACE, incorporated=True).count() >= 19000
    assert (
        Jurisdiction.objects.filter(kind=PLACE, incorporated=False).count() > 12000
    )  # CDPs, flagged
    assert Zcta.objects.count() == 33791
    # No Puerto Rico or island areas among jurisdictions.
    assert not Jurisdiction.objects.filter(usps__in=["PR", "GU", "VI", "AS", "MP"]).exists()
    # Every county has a state; all but a handful of incorporated places have a county.
    assert not Jurisdiction.objects.filter(kind=COUNTY, state__isnull=True).exists()
    assert (
        Jurisdiction.objects.filter(kind=PLACE, incorporated=True, county__isnull=True).count()
        <= 10
    )


def test_harris_county_and_houston() -> None:
    harris = get(COUNTY, "48201")
    assert harris.ocd_id == "ocd-division/country:us/state:tx/county:harris"
    assert (harris.name, harris.short_name, harris.usps, harris.state.geoid) == (
        "Harris County",
        "Harris",
        "TX",
        "48",
    )
    assert harris.population > 4_000_000
    assert 29 < harris.latitude < 30.5 and -96 < harris.longitude < -94.5

    houston = get(PLACE, "4835000")
    assert houston.ocd_id == "ocd-division/country:us/state:tx/place:houston"
    assert houston.incorporated and houston.short_name == "Houston" and houston.lsad == "city"
    assert houston.county == harris
    assert set(houston.counties.values_list("geoid", flat=True)) == {
        "48157",
        "48201",
        "48339",
        "48473",
    }
    # The city, not the Houston CDPs elsewhere, is what a name search finds first in Texas.
    assert (
        Jurisdiction.objects.filter(ocd_id="ocd-division/country:us/state:tx/place:houston").get()
        == houston
    )


def test_new_york_city_spans_five_counties() -> None:
    nyc = get(PLACE, "3651000")
    assert nyc.ocd_id == "ocd-division/country:us/state:ny/place:new_york"
    assert set(nyc.counties.values_list("geoid", flat=True)) == {
        "36005",
        "36047",
        "36061",
        "36081",
        "36085",
    }
    assert nyc.population > 8_000_000


def test_louisiana_parish() -> None:
    orleans = get(COUNTY, "22071")
    assert orleans.ocd_id == "ocd-division/country:us/state:la/parish:orleans"
    assert orleans.lsad == "parish"
    assert get(PLACE, "2255000").ocd_id == "ocd-division/country:us/state:la/place:new_orleans"


def test_virginia_independent_city_and_same_named_county() -> None:
    city_county = get(COUNTY, "51760")  # Richmond city, the county-equivalent
    city = get(PLACE, "5167000")  # Richmond city, the place
    county = get(COUNTY, "51159")  # Richmond County, elsewhere in Virginia
    assert city.ocd_id == "ocd-division/country:us/state:va/place:richmond"
    assert city_county.ocd_id == "ocd-division/country:us/state:va/county:richmond_city"
    assert county.ocd_id == "ocd-division/country:us/state:va/county:richmond"
    assert city.county == city_county
    assert get(COUNTY, "24510").ocd_id == "ocd-division/country:us/state:md/county:baltimore_city"
    assert get(COUNTY, "24005").ocd_id == "ocd-division/country:us/state:md/county:baltimore"
    assert get(PLACE, "2404000").ocd_id == "ocd-division/country:us/state:md/place:baltimore"


def test_district_of_columbia() -> None:
    dc = get(STATE, "11")
    assert dc.ocd_id == "ocd-division/country:us/district:dc"
    assert dc.usps == "DC" and dc.state is None
    county = get(COUNTY, "11001")
    assert county.ocd_id == "ocd-division/country:us/district:dc/county:district_of_columbia"
    washington = get(PLACE, "1150000")
    assert washington.ocd_id == "ocd-division/country:us/district:dc/place:washington"
    assert washington.county == county


def test_alaska_connecticut_and_consolidated_cities() -> None:
    assert get(COUNTY, "02020").ocd_id == "ocd-division/country:us/state:ak/borough:anchorage"
    assert get(COUNTY, "02158").ocd_id == "ocd-division/country:us/state:ak/censusarea:kusilvak"
    assert get(COUNTY, "09110").ocd_id == "ocd-division/country:us/state:ct/planning_region:capitol"
    indianapolis = get(PLACE, "1836003")
    assert indianapolis.ocd_id == "ocd-division/country:us/state:in/place:indianapolis"
    assert indianapolis.incorporated and indianapolis.county.geoid == "18097"
    nashville = get(PLACE, "4752006")
    assert nashville.ocd_id == "ocd-division/country:us/state:tn/place:nashville"
    # Louisville's defunct pre-merger city keeps the name nested under its county.
    assert get(PLACE, "2148006").ocd_id == "ocd-division/country:us/state:ky/place:louisville"
    assert (
        get(PLACE, "2148000").ocd_id
        == "ocd-division/country:us/state:ky/county:jefferson/place:louisville"
    )


def test_policy_evidence_ids_exist() -> None:
    # Ids written by hand in the policy evidence seed, which joins on them.
    for ocd_id in [
        "ocd-division/country:us/state:ca/county:santa_clara",
        "ocd-division/country:us/state:va/county:fairfax",
        "ocd-division/country:us/state:in/place:indianapolis",
        "ocd-division/country:us/state:ca/place:los_angeles",
        "ocd-division/country:us/state:il/place:chicago",
    ]:
        assert Jurisdiction.objects.filter(ocd_id=ocd_id).exists(), ocd_id


def test_zcta_overlaps_are_weighted_by_land() -> None:
    downtown = Zcta.objects.get(code="77002")
    assert downtown.state.usps == "TX"
    links = {
        link.jurisdiction.geoid: link
        for link in downtown.jurisdiction_links.select_related("jurisdiction")
    }
    assert links["48201"].weight > 0.99
    assert links["4835000"].weight > 0.9
    assert ZctaJurisdiction.objects.filter(weight__lt=0).count() == 0
    assert ZctaJurisdiction.objects.filter(weight__gt=1).count() == 0
    # County shares of a ZCTA add up to (about) all of its land.
    sums = (
        ZctaJurisdiction.objects.filter(jurisdiction__kind=COUNTY, zcta__land_area_sqmi__gt=1)
        .values("zcta")
        .annotate(total=Sum("weight"))
    )
    off = sum(1 for row in sums if not 0.98 <= row["total"] <= 1.02)
    assert off < 0.01 * len(sums)
    # Puerto Rico ZCTAs are stored, with no state and no links.
    pr = Zcta.objects.get(code="00601")
    assert pr.state is None and not pr.jurisdiction_links.exists()
    many = (
        Zcta.objects.annotate(n=Count("jurisdiction_links"))
        .filter(n=0, state__isnull=False)
        .count()
    )
    assert many < 50


def test_second_run_is_all_noops() -> None:
    for command in ("import_census", "import_zctas"):
        out = io.StringIO()
        call_command(command, stdout=out)
        first = out.getvalue().splitlines()[0]
        assert " inserted=0 updated=0 " in first, out.getvalue()
        assert "ended=" not in first, out.getvalue()


# --- malformed input: a clear error naming file, line and field; nothing written ---------------


def census_copy(tmp_path: Path) -> Path:
    for path in DEFAULT_DIR.iterdir():
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def unpack(directory: Path, name: str) -> list[str]:
    """Replace ``name.gz`` by the plain file (the importer reads either) and return its lines."""
    with gzip.open(directory / f"{name}.gz", "rt", encoding="utf-8-sig", newline="") as handle:
        lines = handle.read().splitlines(keepends=True)
    (directory / f"{name}.gz").unlink()
    return lines


def write(directory: Path, name: str, lines: list[str]) -> None:
    (directory / name).write_text("".join(lines), encoding="utf-8")


def snapshot() -> tuple[int, int, int | None, int]:
    houston = Jurisdiction.objects.get(kind=PLACE, geoid="4835000")
    return (
        Jurisdiction.objects.count(),
        Zcta.objects.count(),
        houston.population,
        ZctaJurisdiction.objects.count(),
    )


def bump_houston(lines: list[str]) -> list[str]:
    """An earlier, valid change that must not survive a later failure."""
    out = []
    for line in lines:
        if line.startswith("TX,4835000,"):
            fields = line.split(",")
            fields[13] = "1"
            line = ",".join(fields)
        out.append(line)
    return out


def test_bad_number_names_file_line_field_and_changes_nothing(tmp_path: Path) -> None:
    directory = census_copy(tmp_path)
    lines = bump_houston(unpack(directory, PLACES_FILE))
    fields = lines[-3].split(",")
    fields[13] = "12x4"  # POPULATION_ACS2023_5YR
    lines[-3] = ",".join(fields)
    write(directory, PLACES_FILE, lines)
    before = snapshot()
    with pytest.raises(ImportFailed) as failure:
        call_command("import_census", "--dir", str(directory), stdout=io.StringIO())
    assert failure.value.field == "POPULATION_ACS2023_5YR"
    assert failure.value.line == len(lines) - 2
    assert str(failure.value.file).endswith(PLACES_FILE)
    assert "12x4" in str(failure.value) and f"line {len(lines) - 2}" in str(failure.value)
    assert snapshot() == before


def test_missing_column_is_named(tmp_path: Path) -> None:
    directory = census_copy(tmp_path)
    lines = bump_houston(unpack(directory, PLACES_FILE))
    lines[0] = lines[0].replace("FUNCSTAT", "FUNC_STATUS")
    write(directory, PLACES_FILE, lines)
    before = snapshot()
    with pytest.raises(ImportFailed) as failure:
        call_command("import_census", "--dir", str(directory), stdout=io.StringIO())
    assert (failure.value.field, failure.value.line) == ("FUNCSTAT", 1)
    assert "missing column" in str(failure.value)
    assert snapshot() == before


def test_truncated_csv_is_reported_and_changes_nothing(tmp_path: Path) -> None:
    directory = census_copy(tmp_path)
    lines = unpack(directory, ZCTA_COUNTIES_FILE)
    cut = lines[: len(lines) // 2]
    cut[-1] = cut[-1][:7]  # the file stops in the middle of a row
    write(directory, ZCTA_COUNTIES_FILE, cut)
    before = snapshot()
    with pytest.raises(ImportFailed) as failure:
        call_command("import_zctas", "--dir", str(directory), stdout=io.StringIO())
    assert failure.value.line == len(cut)
    assert "truncated" in str(failure.value) and ZCTA_COUNTIES_FILE in str(failure.value)
    assert snapshot() == before


def test_truncated_gzip_is_reported(tmp_path: Path) -> None:
    directory = census_copy(tmp_path)
    packed = directory / f"{PLACES_FILE}.gz"
    data = packed.read_bytes()
    packed.write_bytes(data[: len(data) // 2])
    before = snapshot()
    with pytest.raises(ImportFailed) as failure:
        call_command("import_census", "--dir", str(directory), stdout=io.StringIO())
    assert "unreadable" in str(failure.value) and PLACES_FILE in str(failure.value)
    assert isinstance(failure.value.line, int) and failure.value.line > 1000
    assert snapshot() == before


def test_missing_file_is_named(tmp_path: Path) -> None:
    directory = census_copy(tmp_path)
    (directory / f"{ZCTA_COUNTIES_FILE}.gz").unlink()
    with pytest.raises(ImportFailed, match="file not found"):
        call_command("import_zctas", "--dir", str(directory), stdout=io.StringIO())


def test_dry_run_reports_changes_and_writes_nothing(tmp_path: Path) -> None:
    directory = census_copy(tmp_path)
    write(directory, PLACES_FILE, bump_houston(unpack(directory, PLACES_FILE)))
    before = snapshot()
    out = io.StringIO()
    call_command("import_census", "--dir", str(directory), "--dry-run", stdout=out)
    assert out.getvalue().startswith("[dry-run] import_census: inserted=0 updated=1 ")
    assert snapshot() == before
