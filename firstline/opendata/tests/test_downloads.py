"""Each download parses, matches its column dictionary and the database, and carries provenance."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from django.db.models import Exists, OuterRef

from firstline.geo.models import Jurisdiction, JurisdictionKind
from firstline.officials.models import ContactPoint, Office, Term
from firstline.opendata.datasets import DATASETS, FILES
from firstline.opendata.storage import download_meta
from firstline.policies.ice287g_importers import POLICY_SLUG
from firstline.policies.models import PolicyRecord
from firstline.policies.scorecard import scorecard_for

pytestmark = pytest.mark.django_db

CSV_FILES = [name for name, (_d, f) in FILES.items() if f.format == "csv"]


def read_csv(directory: Path, name: str) -> tuple[list[str], list[list[str]]]:
    with open(directory / name, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def as_dicts(directory: Path, name: str) -> list[dict[str, str]]:
    with open(directory / name, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("name", CSV_FILES)
def test_csv_parses_matches_its_dictionary_and_the_database(generated: Path, name: str) -> None:
    _dataset, file = FILES[name]
    header, rows = read_csv(generated, name)
    assert header == [c.name for c in file.columns]
    assert all(len(row) == len(header) for row in rows)
    assert len(rows) == file.row_count()
    meta = download_meta(name=name)
    assert meta is not None
    assert meta["rows"] == len(rows)
    data = (generated / name).read_bytes()
    assert meta["bytes"] == len(data)
    assert meta["sha256"] == hashlib.sha256(data).hexdigest()
    assert [c["name"] for c in meta["columns"]] == header


def test_every_dataset_says_its_license_sources_and_as_of_date(generated: Path) -> None:
    for dataset in DATASETS.values():
        for file in dataset.files:
            meta = download_meta(name=file.name)
            assert meta is not None, file.name
            assert meta["license"] and meta["code_license"] == "Apache-2.0"
            assert meta["sources"] and all(s["name"] and s["license"] for s in meta["sources"])
            assert meta["generated_at"]
    assert download_meta(name="officials.csv")["as_of"] == "2026-12-06"  # type: ignore[index]
    # The date of the data, not of the generation: ICE's list of July 2025.
    assert download_meta(name="ice_287g_agreements.csv")["as_of"].startswith("2025-07")  # type: ignore[index]


def test_scorecards_hold_every_jurisdiction_with_the_site_s_score(generated: Path) -> None:
    rows = {r["ocd_id"]: r for r in as_dicts(generated, "scorecards.csv")}
    assert len(rows) == Jurisdiction.objects.count()
    for ocd_id in (
        "ocd-division/country:us/state:ca",
        "ocd-division/country:us/state:tx/county:harris",
        "ocd-division/country:us/state:il/place:chicago",
    ):
        card = scorecard_for(jurisdiction=Jurisdiction.objects.get(ocd_id=ocd_id))
        row = rows[ocd_id]
        assert (int(row["score"]), row["grade"]) == (card.score, card.grade)
        assert int(row["core_researched"]) == card.result.core_researched
        assert row["incomplete"] == str(card.incomplete).lower()
    assert {r["kind"] for r in rows.values()} == {"state", "county", "place"}


def _inside(point: tuple[float, float], geometry: dict[str, Any]) -> bool:
    """Even-odd ray casting over every ring of a Polygon or MultiPolygon."""
    polygons = (
        [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    )
    x, y = point
    inside = False
    for polygon in polygons:
        for ring in polygon:
            for (x1, y1), (x2, y2) in pairwise(ring):
                if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                    inside = not inside
    return inside


def test_county_geojson_is_longitude_latitude_with_scores(generated: Path) -> None:
    collection = json.loads((generated / "counties.geojson").read_text())
    _dataset, file = FILES["counties.geojson"]
    assert collection["type"] == "FeatureCollection"
    features = collection["features"]
    assert len(features) == file.row_count() == collection["metadata"]["rows"]
    assert collection["metadata"]["license"] and collection["metadata"]["sources"]
    counties = {j.ocd_id: j for j in Jurisdiction.objects.filter(kind=JurisdictionKind.COUNTY)}
    inside = 0
    for feature in features:
        assert list(feature["properties"]) == [c.name for c in file.columns]
        assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
        rings = (
            [feature["geometry"]["coordinates"]]
            if feature["geometry"]["type"] == "Polygon"
            else feature["geometry"]["coordinates"]
        )
        for polygon in rings:
            for ring in polygon:
                assert ring[0] == ring[-1] and len(ring) >= 4
                # The Aleutians' western islands lie past 180°, in the eastern hemisphere.
                assert all(
                    (-180 <= lon <= -60 or 172 <= lon <= 180) and 17 <= lat <= 72
                    for lon, lat in ring
                )
        county = counties[feature["properties"]["ocd_id"]]
        # The Census internal point of the county falls inside the shape
        # (the inverse projection is right, Alaska and Hawaii included).
        inside += _inside((county.longitude, county.latitude), feature["geometry"])
    assert inside / len(features) > 0.97, inside
    by_name = {f["properties"]["geoid"]: f for f in features}
    assert _inside((-157.86, 21.31), by_name["15003"]["geometry"])  # Honolulu
    assert _inside((-149.9, 61.2), by_name["02020"]["geometry"])  # Anchorage
    card = scorecard_for(jurisdiction=counties["ocd-division/country:us/state:tx/county:harris"])
    assert by_name["48201"]["properties"]["grade"] == card.grade


def test_officials_carry_division_and_person_ids(generated: Path) -> None:
    rows = as_dicts(generated, "officials.csv")
    # Counted here from the models, apart from the file's own row counter.
    current = Term.objects.filter(end_date__isnull=True)
    vacant = Office.objects.exclude(id__in=current.values("office_id")).count()
    assert len(rows) == current.count() + vacant
    assert {r["office_id"] for r in rows} == {
        str(i) for i in Office.objects.values_list("id", flat=True)
    }
    people = [r for r in rows if r["ocd_person_id"]]
    assert len(people) > 5000
    assert all(r["ocd_person_id"].startswith("ocd-person/") for r in people)
    assert all(r["division_ocd_id"].startswith("ocd-division/country:us/") for r in rows)
    legislators = [r for r in rows if r["role"] == "state_senator"]
    assert legislators and all("/sldu:" in r["division_ocd_id"] for r in legislators)
    assert any(r["covers_ocd_ids"].count(";") >= 1 for r in rows)


def test_contact_points_are_the_public_ones_with_source_and_date(generated: Path) -> None:
    rows = as_dicts(generated, "contact_points.csv")
    holders = Term.objects.filter(end_date__isnull=True, person_id=OuterRef("person_id"))
    expected = (
        ContactPoint.objects.filter(office__isnull=False).count()
        + ContactPoint.objects.filter(Exists(holders), person__isnull=False).count()
    )
    assert len(rows) == expected < ContactPoint.objects.count()
    assert {r["owner"] for r in rows} == {"office", "person"}
    assert sum(1 for r in rows if r["source"]) / len(rows) > 0.9
    assert any(r["verified_on"] for r in rows)


def test_policies_and_287g_files_split_the_records(generated: Path) -> None:
    provisions = as_dicts(generated, "provisions.csv")
    agreements = as_dicts(generated, "ice_287g_agreements.csv")
    assert len(provisions) + len(agreements) == PolicyRecord.objects.count()
    assert len(agreements) == PolicyRecord.objects.filter(policy__slug=POLICY_SLUG).count()
    assert all(r["citation"] or r["instrument"] for r in provisions)
    slugs = {r["slug"] for r in as_dicts(generated, "instruments.csv")}
    assert {r["instrument"] for r in provisions if r["instrument"]} <= slugs
    assert {r["instrument"] for r in as_dicts(generated, "legal_events.csv")} <= slugs
    assert all(r["match_method"] for r in agreements if r["jurisdiction_ocd_id"])
    assert {r["support_model"] for r in agreements} >= {"jail_enforcement", "task_force"}


def test_csv_round_trips_text_with_commas_quotes_and_newlines(generated: Path) -> None:
    # Excerpts and notes hold commas and quotes; the csv module must read back what was written.
    raw = (generated / "provisions.csv").read_text(encoding="utf-8")
    _header, rows = read_csv(generated, "provisions.csv")
    assert any('"' in cell or "," in cell for row in rows for cell in row)
    assert len(list(csv.reader(io.StringIO(raw)))) == len(rows) + 1
