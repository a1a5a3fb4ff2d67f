"""Census importers: states, counties, places, ZCTAs and their overlaps.

Reads the files in ``data/census/`` as published upstream (Census Gazetteer,
``bdurand/us_geo``), plain or gzip-compressed. Everything is parsed and
validated before the first write, and the command wraps the writes in one
transaction, so malformed input leaves the database unchanged.

Scope: the 50 states and DC. Puerto Rico and the island areas are skipped
(no state legislature in Open States' 50-state set, and the app's policy
model is state/county/city); the skipped rows are counted, not hidden.
"""

from __future__ import annotations

import csv
import gzip
import zlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from firstline.geo import ocd
from firstline.geo.models import Jurisdiction, JurisdictionKind, Zcta, ZctaJurisdiction
from firstline.lib.importing import (
    Counts,
    ImportFailed,
    bulk_upsert,
    insert_rows,
    links_sync,
    progress,
)

DEFAULT_DIR = Path(settings.DATA_DIR) / "census"

STATES_FILE = "us_geo_states.csv"
COUNTIES_GAZ_FILE = "2025_Gaz_counties_national.txt"
COUNTIES_FILE = "us_geo_counties.csv"
PLACES_FILE = "places_2025_gazetteer_acs2023.csv"
ZCTAS_FILE = "us_geo_zctas.csv"
ZCTA_COUNTIES_FILE = "us_geo_zcta_counties.csv"
ZCTA_PLACES_FILE = "us_geo_zcta_places.csv"
COUSUBS_FILE = "us_geo_county_subdivisions.csv"

STATE_TYPES = {"state", "district"}
# FUNCSTAT A = active government. F = the "balance" of a consolidated city
# (Indianapolis, Nashville, Louisville...) and B = a partly consolidated city
# with its own officials (Baton Rouge, Lafayette): these are real city
# governments with mayors, so they count as incorporated too.
INCORPORATED_FUNCSTAT = {"A", "B", "F"}
# The Census lists no county for the balance of a consolidated city; these are
# the counties they were consolidated with (plus Washington, DC and Houma, LA).
CONSOLIDATED_COUNTIES: dict[str, str] = {
    "0947515": "09170",  # Milford city (balance), CT -> South Central Connecticut
    "1150000": "11001",  # Washington city, DC -> District of Columbia
    "1303440": "13059",  # Athens-Clarke County -> Clarke County
    "1304204": "13245",  # Augusta-Richmond County -> Richmond County
    "1836003": "18097",  # Indianapolis city (balance) -> Marion County
    "2028412": "20071",  # Greeley County unified government -> Greeley County
    "2148000": "21111",  # Louisville city -> Jefferson County
    "2148006": "21111",  # Louisville/Jefferson County metro government -> Jefferson County
    "2236255": "22109",  # Houma city -> Terrebonne Parish
    "3011397": "30093",  # Butte-Silver Bow (balance) -> Silver Bow County
    "4752006": "47037",  # Nashville-Davidson (balance) -> Davidson County
}
# FIPS class C7: an independent city that is its own county-equivalent.
INDEPENDENT_CITY_CLASS = "C7"

JURISDICTION_FIELDS = [
    "ocd_id",
    "name",
    "short_name",
    "usps",
    "state_id",
    "county_id",
    "lsad",
    "incorporated",
    "population",
    "latitude",
    "longitude",
    "land_area_sqmi",
]


# --- reading -------------------------------------------------------------------


def census_file(directory: Path, name: str) -> Path:
    """The file as published, or its ``.gz``; an error naming both if neither exists."""
    plain = directory / name
    if plain.exists():
        return plain
    packed = directory / f"{name}.gz"
    if packed.exists():
        return packed
    raise ImportFailed("file not found (looked for it and its .gz)", file=plain)


def read_rows(
    path: Path, *, columns: Sequence[str], delimiter: str = ","
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield ``(line, {column: value})`` for the named columns.

    A missing column, a row with the wrong number of fields (what a truncated
    file looks like) or an unreadable/truncated gzip stream is an ImportFailed.
    """
    line = 1
    try:
        opener: Any = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, delimiter=delimiter)
            header = next(reader, None)
            if header is None:
                raise ImportFailed("empty file, expected a header row", file=path, line=1)
            header = [h.strip() for h in header]
            for column in columns:
                if column not in header:
                    raise ImportFailed("missing column", file=path, line=1, field=column)
            index = [(column, header.index(column)) for column in columns]
            width = len(header)
            for row in reader:
                line = reader.line_num
                if not row:
                    continue
                if len(row) != width:
                    raise ImportFailed(
                        f"expected {width} fields, found {len(row)} (truncated or malformed row)",
                        file=path,
                        line=line,
                    )
                yield line, {column: row[i].strip() for column, i in index}
    except (EOFError, OSError, zlib.error, UnicodeDecodeError, csv.Error) as exc:
        raise ImportFailed(
            f"unreadable ({exc.__class__.__name__}: {exc})", file=path, line=line + 1
        ) from exc


@dataclass(frozen=True)
class Cell:
    path: Path
    line: int

    def text(self, row: dict[str, str], column: str) -> str:
        value = row[column]
        if not value:
            raise ImportFailed(
                "required value is empty", file=self.path, line=self.line, field=column
            )
        return value

    def integer(self, row: dict[str, str], column: str) -> int | None:
        value = row[column]
        if value == "":
            return None
        try:
            number = int(value)
        except ValueError:
            raise ImportFailed(
                f"not a whole number: {value!r}", file=self.path, line=self.line, field=column
            ) from None
        if number < 0:
            raise ImportFailed(
                f"negative count: {value!r}", file=self.path, line=self.line, field=column
            )
        return number

    def number(self, row: dict[str, str], column: str) -> float | None:
        value = row[column]
        if value == "":
            return None
        try:
            number = float(value)
        except ValueError:
            raise ImportFailed(
                f"not a number: {value!r}", file=self.path, line=self.line, field=column
            ) from None
        if number != number or number in (float("inf"), float("-inf")):
            raise ImportFailed(
                f"not a finite number: {value!r}", file=self.path, line=self.line, field=column
            )
        return number

    def geoid(self, row: dict[str, str], column: str, digits: int) -> str:
        value = self.text(row, column)
        if len(value) != digits or not value.isdigit():
            raise ImportFailed(
                f"expected a {digits}-digit code, got {value!r}",
                file=self.path,
                line=self.line,
                field=column,
            )
        return value


# --- parsing ---------------------------------------------------------------------


@dataclass
class StateRow:
    usps: str
    fips: str
    values: dict[str, Any]


def parse_states(path: Path) -> tuple[list[StateRow], int]:
    rows: list[StateRow] = []
    skipped = 0
    for line, row in read_rows(
        path, columns=["Name", "Code", "Type", "FIPS", "Population", "Land Area"]
    ):
        cell = Cell(path, line)
        kind = cell.text(row, "Type")
        usps = cell.text(row, "Code").upper()
        fips = cell.geoid(row, "FIPS", 2)
        population = cell.integer(row, "Population")
        land = cell.number(row, "Land Area")
        if kind not in STATE_TYPES:
            skipped += 1
            continue
        name = cell.text(row, "Name")
        rows.append(
            StateRow(
                usps=usps,
                fips=fips,
                values={
                    "ocd_id": ocd.state_ocd_id(usps),
                    "name": name,
                    "short_name": name,
                    "usps": usps,
                    "state_id": None,
                    "county_id": None,
                    "lsad": kind,
                    "incorporated": True,
                    "population": population,
                    "latitude": None,
                    "longitude": None,
                    "land_area_sqmi": land,
                },
            )
        )
    return rows, skipped


@dataclass
class CountyRow:
    geoid: str
    usps: str
    segment: str
    values: dict[str, Any]


def parse_counties(
    gaz_path: Path, extra_path: Path, *, states: set[str]
) -> tuple[list[CountyRow], Counts]:
    counts = Counts()
    extra: dict[str, dict[str, Any]] = {}
    for line, row in read_rows(
        extra_path, columns=["GEOID", "FIPS Class", "Population", "Latitude", "Longitude"]
    ):
        cell = Cell(extra_path, line)
        extra[cell.geoid(row, "GEOID", 5)] = {
            "class": row["FIPS Class"],
            "population": cell.integer(row, "Population"),
            "latitude": cell.number(row, "Latitude"),
            "longitude": cell.number(row, "Longitude"),
        }
    rows: list[CountyRow] = []
    missing_extra = []
    columns = ["USPS", "GEOID", "NAME", "ALAND_SQMI", "INTPTLAT", "INTPTLONG"]
    for line, row in read_rows(gaz_path, columns=columns, delimiter="|"):
        cell = Cell(gaz_path, line)
        usps = cell.text(row, "USPS").upper()
        geoid = cell.geoid(row, "GEOID", 5)
        name = cell.text(row, "NAME")
        land = cell.number(row, "ALAND_SQMI")
        lat, lon = cell.number(row, "INTPTLAT"), cell.number(row, "INTPTLONG")
        if usps not in states:
            counts.skipped += 1
            continue
        more = extra.get(geoid)
        if more is None:
            missing_extra.append(geoid)
            more = {"class": "", "population": None, "latitude": lat, "longitude": lon}
        independent = more["class"] == INDEPENDENT_CITY_CLASS
        kind, short, lsad = ocd.county_parts(name, independent_city=independent)
        rows.append(
            CountyRow(
                geoid=geoid,
                usps=usps,
                segment=f"{kind}:{ocd.ocd_slug(short)}",
                values={
                    "name": name,
                    "short_name": short,
                    "usps": usps,
                    "county_id": None,
                    "lsad": lsad,
                    "incorporated": True,
                    "population": more["population"],
                    "latitude": more["latitude"] if more["latitude"] is not None else lat,
                    "longitude": more["longitude"] if more["longitude"] is not None else lon,
                    "land_area_sqmi": land,
                },
            )
        )
    if missing_extra:
        counts.notes.append(
            f"{len(missing_extra)} counties not in {extra_path.name}: {', '.join(missing_extra[:10])}"
        )
    # Two county-equivalents with one slug in a state would share an id: the
    # first by GEOID keeps it, later ones get their GEOID appended.
    taken: set[tuple[str, str]] = set()
    for county in sorted(rows, key=lambda c: c.geoid):
        if (county.usps, county.segment) in taken:
            county.segment = f"{county.segment}_{county.geoid}"
            counts.notes.append(
                f"county id collision in {county.usps}: {county.values['name']} -> {county.segment}"
            )
        taken.add((county.usps, county.segment))
    return rows, counts


@dataclass
class PlaceRow:
    geoid: str
    usps: str
    slug: str
    funcstat: str
    county_geoids: list[str]
    values: dict[str, Any]


def parse_places(
    path: Path, *, states: set[str], counties: set[str]
) -> tuple[list[PlaceRow], Counts]:
    counts = Counts()
    rows: list[PlaceRow] = []
    columns = [
        "USPS", "GEOID", "NAME", "LSAD", "FUNCSTAT", "ALAND_SQMI", "INTPTLAT", "INTPTLONG",
        "POPULATION_ACS2023_5YR", "COUNTY_GEOIDS",
    ]  # fmt: skip
    no_county = []
    for line, row in read_rows(path, columns=columns):
        cell = Cell(path, line)
        usps = cell.text(row, "USPS").upper()
        geoid = cell.geoid(row, "GEOID", 7)
        name = cell.text(row, "NAME")
        lsad = cell.text(row, "LSAD")
        funcstat = cell.text(row, "FUNCSTAT")
        population = cell.integer(row, "POPULATION_ACS2023_5YR")
        land = cell.number(row, "ALAND_SQMI")
        lat, lon = cell.number(row, "INTPTLAT"), cell.number(row, "INTPTLONG")
        county_geoids = [g.strip() for g in row["COUNTY_GEOIDS"].split(";") if g.strip()]
        for g in county_geoids:
            if len(g) != 5 or not g.isdigit():
                raise ImportFailed(
                    f"expected 5-digit county codes, got {g!r}",
                    file=path,
                    line=line,
                    field="COUNTY_GEOIDS",
                )
        if usps not in states:
            counts.skipped += 1
            continue
        if not county_geoids and geoid in CONSOLIDATED_COUNTIES:
            county_geoids = [CONSOLIDATED_COUNTIES[geoid]]
        county_geoids = [g for g in county_geoids if g in counties]
        incorporated = funcstat in INCORPORATED_FUNCSTAT
        if not county_geoids and incorporated:
            no_county.append(f"{name}, {usps}")
        rows.append(
            PlaceRow(
                geoid=geoid,
                usps=usps,
                slug=ocd.place_slug(name, lsad),
                funcstat=funcstat,
                county_geoids=county_geoids,
                values={
                    "name": name,
                    "short_name": ocd.place_short_name(name, lsad),
                    "usps": usps,
                    "lsad": ocd.PLACE_LSAD.get(lsad, lsad),
                    "incorporated": incorporated,
                    "population": population,
                    "latitude": lat,
                    "longitude": lon,
                    "land_area_sqmi": land,
                },
            )
        )
    if no_county:
        counts.notes.append(
            f"{len(no_county)} incorporated places with no county in the Census file: {'; '.join(no_county)}"
        )
    return rows, counts


def place_ocd_ids(
    places: Iterable[PlaceRow], *, state_ids: dict[str, str], county_segments: dict[str, str]
) -> tuple[dict[str, str], list[str]]:
    """Assign each place its OCD id; returns ``{geoid: ocd_id}`` and notes on duplicates.

    Places sharing a slug in one state are ranked: incorporated first, then the
    most populous, then the lowest GEOID. The first keeps ``place:<slug>``
    (so "Houston, TX" is the city, not a CDP). Each other one is nested under
    its county, OCD's own rule (``state:pa/county:adams/place:liberty``); if
    that is taken too, the GEOID is appended: ``place:<slug>_<geoid>``.
    """
    groups: dict[tuple[str, str], list[PlaceRow]] = defaultdict(list)
    for place in places:
        groups[(place.usps, place.slug)].append(place)
    ids: dict[str, str] = {}
    used: set[str] = set()
    nested = 0
    suffixed = 0
    for (usps, slug), members in sorted(groups.items()):
        members.sort(
            key=lambda p: (not p.values["incorporated"], -(p.values["population"] or 0), p.geoid)
        )
        prefix = state_ids[usps]
        for rank, place in enumerate(members):
            candidate = f"{prefix}/place:{slug}"
            if rank and place.county_geoids:
                candidate = f"{prefix}/{county_segments[place.county_geoids[0]]}/place:{slug}"
                nested += 1
            if candidate in used:
                candidate = f"{prefix}/place:{slug}_{place.geoid}"
                suffixed += 1
            used.add(candidate)
            ids[place.geoid] = candidate
    notes = [
        f"place ids sharing a name within a state: {nested} nested under their county, {suffixed} given a GEOID suffix"
    ]
    return ids, notes


# --- census_import: read and match, then write each kind ------------------------------


@dataclass
class Census:
    """The three Census files, validated, with every place's OCD id assigned."""

    states: list[StateRow]
    state_ids: dict[str, str]  # usps -> OCD id
    skipped_states: int
    counties: list[CountyRow]
    county_counts: Counts
    places: list[PlaceRow]
    place_counts: Counts
    place_ids: dict[str, str]
    id_notes: list[str]


def read_census(directory: Path) -> Census:
    """Parse and validate states, counties and places; nothing is written."""
    states, skipped_states = parse_states(census_file(directory, STATES_FILE))
    usps_set = {s.usps for s in states}
    counties, county_counts = parse_counties(
        census_file(directory, COUNTIES_GAZ_FILE),
        census_file(directory, COUNTIES_FILE),
        states=usps_set,
    )
    places, place_counts = parse_places(
        census_file(directory, PLACES_FILE), states=usps_set, counties={c.geoid for c in counties}
    )
    state_ids = {s.usps: s.values["ocd_id"] for s in states}
    place_ids, id_notes = place_ocd_ids(
        places, state_ids=state_ids, county_segments={c.geoid: c.segment for c in counties}
    )
    return Census(
        states=states,
        state_ids=state_ids,
        skipped_states=skipped_states,
        counties=counties,
        county_counts=county_counts,
        places=places,
        place_counts=place_counts,
        place_ids=place_ids,
        id_notes=id_notes,
    )


def _label(counts: Counts, name: str) -> str:
    return f"{name}: {counts.summary()}"


def _upsert_jurisdictions(
    kind: JurisdictionKind, rows: Iterable[dict[str, Any]], *, skipped: int
) -> tuple[Counts, dict[str, int]]:
    """Upsert one kind of jurisdiction; returns its counts and ``{geoid: pk}``."""
    counts, pks = bulk_upsert(
        Jurisdiction,
        rows,
        key=["kind", "geoid"],
        fields=JURISDICTION_FIELDS,
        queryset=Jurisdiction.objects.filter(kind=kind),
    )
    counts.skipped = skipped
    return counts, {geoid: pk for (_kind, geoid), pk in pks.items()}


def _write_states(census: Census, total: Counts) -> dict[str, int]:
    """Upsert the states; returns ``{usps: pk}``."""
    counts, pks = _upsert_jurisdictions(
        JurisdictionKind.STATE,
        ({"kind": JurisdictionKind.STATE, "geoid": s.fips, **s.values} for s in census.states),
        skipped=census.skipped_states,
    )
    total.add(counts)
    total.notes.append(_label(counts, "Jurisdiction(state)") + " (territories)")
    return {s.usps: pks[s.fips] for s in census.states}


def _write_counties(census: Census, total: Counts, *, state_pk: dict[str, int]) -> dict[str, int]:
    """Upsert the counties; returns ``{geoid: pk}``."""
    rows = (
        {
            "kind": JurisdictionKind.COUNTY,
            "geoid": c.geoid,
            "ocd_id": f"{census.state_ids[c.usps]}/{c.segment}",
            "state_id": state_pk[c.usps],
            **c.values,
        }
        for c in census.counties
    )
    counts, pks = _upsert_jurisdictions(
        JurisdictionKind.COUNTY,
        progress(rows, label="counties", total=len(census.counties)),
        skipped=census.county_counts.skipped,
    )
    total.add(counts)
    total.notes.append(_label(counts, "Jurisdiction(county)") + " (outside the 50 states + DC)")
    total.notes.extend(census.county_counts.notes)
    return {c.geoid: pks[c.geoid] for c in census.counties}


def _write_places(
    census: Census, total: Counts, *, state_pk: dict[str, int], county_pk: dict[str, int]
) -> dict[str, int]:
    """Upsert the places; returns ``{geoid: pk}``."""
    rows = (
        {
            "kind": JurisdictionKind.PLACE,
            "geoid": p.geoid,
            "ocd_id": census.place_ids[p.geoid],
            "state_id": state_pk[p.usps],
            **p.values,
            "county_id": county_pk[p.county_geoids[0]] if p.county_geoids else None,
        }
        for p in census.places
    )
    counts, pks = _upsert_jurisdictions(
        JurisdictionKind.PLACE,
        progress(rows, label="places", total=len(census.places)),
        skipped=census.place_counts.skipped,
    )
    total.add(counts)
    incorporated = sum(1 for p in census.places if p.values["incorporated"])
    total.notes.append(
        _label(counts, "Jurisdiction(place)")
        + " (outside the 50 states + DC);"
        + f" {incorporated} incorporated, {len(census.places) - incorporated} census-designated or inactive"
    )
    total.notes.extend(census.place_counts.notes)
    total.notes.extend(census.id_notes)
    return pks


def _write_place_counties(
    census: Census, total: Counts, *, place_pk: dict[str, int], county_pk: dict[str, int]
) -> None:
    through = Jurisdiction.counties.through
    pairs = {(place_pk[p.geoid], county_pk[g]) for p in census.places for g in p.county_geoids}
    counts = links_sync(
        through,
        pairs,
        fields=("from_jurisdiction_id", "to_jurisdiction_id"),
        scope=through._default_manager.all(),
    )
    total.add(counts)
    total.notes.append(_label(counts, "Jurisdiction.counties (place->county)"))


def census_import(*, directory: Path = DEFAULT_DIR) -> Counts:
    """Upsert the states, counties and places of the 50 states and DC."""
    census = read_census(Path(directory))
    total = Counts()
    state_pk = _write_states(census, total)
    county_pk = _write_counties(census, total, state_pk=state_pk)
    place_pk = _write_places(census, total, state_pk=state_pk, county_pk=county_pk)
    _write_place_counties(census, total, place_pk=place_pk, county_pk=county_pk)
    return total


# --- zctas_import: read, match to jurisdictions, then write -------------------------------

# (kind, GEOID) -> (pk, usps) of every jurisdiction held.
JurisdictionIndex = dict[tuple[str, str], tuple[int, str]]


def _jurisdiction_index() -> JurisdictionIndex:
    jurisdictions = {
        (kind, geoid): (pk, usps)
        for pk, kind, geoid, usps in Jurisdiction.objects.values_list(
            "pk", "kind", "geoid", "usps"
        ).iterator(chunk_size=5000)
    }
    if not jurisdictions:
        raise ImportFailed("no jurisdictions loaded; run import_census first")
    return jurisdictions


def read_zctas(
    directory: Path, jurisdictions: JurisdictionIndex
) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """``{code: Zcta row}`` and ``{code: primary county subdivision}`` from the ZCTA file."""
    state_pk_by_fips = {
        geoid: pk
        for (kind, geoid), (pk, _) in jurisdictions.items()
        if kind == JurisdictionKind.STATE
    }
    path = census_file(directory, ZCTAS_FILE)
    zctas: dict[str, dict[str, Any]] = {}
    primary_cousub: dict[str, str] = {}
    for line, row in read_rows(
        path,
        columns=[
            "ZCTA5", "Primary County", "Primary County Subdivision", "Population", "Land Area",
            "Latitude", "Longitude",
        ],
    ):  # fmt: skip
        cell = Cell(path, line)
        code = cell.geoid(row, "ZCTA5", 5)
        primary = row["Primary County"]
        primary_cousub[code] = row["Primary County Subdivision"]
        if code in zctas:
            raise ImportFailed(f"duplicate ZCTA {code}", file=path, line=line, field="ZCTA5")
        zctas[code] = {
            "code": code,
            "state_id": state_pk_by_fips.get(primary[:2]) if primary else None,
            "population": cell.integer(row, "Population"),
            "latitude": cell.number(row, "Latitude"),
            "longitude": cell.number(row, "Longitude"),
            "land_area_sqmi": cell.number(row, "Land Area"),
        }
    return zctas, primary_cousub


@dataclass
class Overlaps:
    """The ZCTA -> jurisdiction overlaps to store, and what was left out."""

    rows: list[tuple[str, int, float]] = field(default_factory=list)  # (code, pk, land)
    skipped: dict[str, int] = field(default_factory=lambda: {"county": 0, "place": 0})
    touching: int = 0
    by_primary_town: int = 0


def match_overlaps(
    directory: Path, zctas: dict[str, dict[str, Any]], jurisdictions: JurisdictionIndex
) -> tuple[Overlaps, set[str]]:
    """Overlaps from the relationship files; also the ZCTAs that got a county."""
    overlaps = Overlaps()
    has_county: set[str] = set()
    for kind, name, column, digits in (
        (JurisdictionKind.COUNTY, ZCTA_COUNTIES_FILE, "County GEOID", 5),
        (JurisdictionKind.PLACE, ZCTA_PLACES_FILE, "Place GEOID", 7),
    ):
        path = census_file(directory, name)
        for line, row in read_rows(path, columns=["ZCTA5", column, "Land Area"]):
            cell = Cell(path, line)
            code = cell.geoid(row, "ZCTA5", 5)
            geoid = cell.geoid(row, column, digits)
            land = cell.number(row, "Land Area") or 0.0
            if code not in zctas:
                raise ImportFailed(
                    f"ZCTA {code} is not in {ZCTAS_FILE}", file=path, line=line, field="ZCTA5"
                )
            if land <= 0 and (zctas[code]["land_area_sqmi"] or 0) > 0:
                # The relationship files list boundaries that only touch (no
                # shared land); they would put a resident in the wrong city.
                overlaps.touching += 1
                continue
            target = jurisdictions.get((kind, geoid))
            if target is None:
                overlaps.skipped[kind] += 1
                continue
            overlaps.rows.append((code, target[0], land))
            if kind == JurisdictionKind.COUNTY:
                has_county.add(code)
    return overlaps, has_county


def match_ct_regions(
    directory: Path,
    overlaps: Overlaps,
    *,
    zctas: dict[str, dict[str, Any]],
    primary_cousub: dict[str, str],
    has_county: set[str],
    jurisdictions: JurisdictionIndex,
) -> None:
    """Connecticut: the 2020 relationship file knows the 8 old counties, the
    2025 Gazetteer only the 9 planning regions. A town (county subdivision)
    keeps its 5-digit code across the change, so the ZCTA's primary town
    names its planning region. Without an overlap file by town we give that
    region the whole ZCTA (weight 1): approximate near region borders."""
    region_of_town = town_counties(census_file(directory, COUSUBS_FILE), states={"09"})
    for code, cousub in primary_cousub.items():
        if code in has_county or len(cousub) != 10:
            continue
        county = region_of_town.get((cousub[:2], cousub[5:]))
        target = jurisdictions.get((JurisdictionKind.COUNTY, county or ""))
        if target is not None:
            overlaps.rows.append((code, target[0], zctas[code]["land_area_sqmi"] or 0.0))
            overlaps.by_primary_town += 1


def _write_overlaps(
    overlaps: Overlaps, *, zctas: dict[str, dict[str, Any]], zcta_pks: dict[tuple[Any, ...], int]
) -> Counts:
    """Make ZctaJurisdiction hold exactly ``overlaps``, weighted by the ZCTA's land.

    Not ``bulk_upsert``: its duplicate error could not name the ZCTA, and it would
    build a model instance per row; not ``links_sync``: these links carry values.
    """
    counts = Counts()
    existing = {
        (z, j): (pk, land, weight)
        for pk, z, j, land, weight in ZctaJurisdiction.objects.values_list(
            "pk", "zcta_id", "jurisdiction_id", "land_area_sqmi", "weight"
        ).iterator(chunk_size=10_000)
    }
    new: list[tuple[int, int, float, float]] = []
    changed: list[ZctaJurisdiction] = []
    seen: set[tuple[int, int]] = set()
    for code, jurisdiction_pk, land in progress(overlaps.rows, label="zcta overlaps"):
        zcta_land = zctas[code]["land_area_sqmi"] or 0.0
        weight = min(1.0, round(land / zcta_land, 6)) if zcta_land > 0 else 0.0
        pair = (zcta_pks[(code,)], jurisdiction_pk)
        if pair in seen:
            raise ImportFailed(f"ZCTA {code} overlaps jurisdiction {jurisdiction_pk} twice")
        seen.add(pair)
        current = existing.get(pair)
        if current is None:
            new.append((*pair, land, weight))
        elif abs(current[1] - land) > 1e-9 or abs(current[2] - weight) > 1e-9:
            changed.append(ZctaJurisdiction(pk=current[0], land_area_sqmi=land, weight=weight))
        else:
            counts.noop += 1
    insert_rows(ZctaJurisdiction, ["zcta_id", "jurisdiction_id", "land_area_sqmi", "weight"], new)
    ZctaJurisdiction.objects.bulk_update(changed, ["land_area_sqmi", "weight"], batch_size=2000)
    counts.inserted, counts.updated = len(new), len(changed)
    stale = [pk for pair, (pk, _land, _weight) in existing.items() if pair not in seen]
    for start in range(0, len(stale), 500):
        ZctaJurisdiction.objects.filter(pk__in=stale[start : start + 500]).delete()
    counts.deleted = len(stale)
    return counts


def zctas_import(*, directory: Path = DEFAULT_DIR) -> Counts:
    """Upsert ZCTAs and their land-area overlaps with counties and places.

    Every ZCTA is stored, those in Puerto Rico and the island areas with no
    state; overlaps are linked only to jurisdictions we hold. ``weight`` is
    the overlap's share of the ZCTA's land (0-1); a ZCTA with no land (a few
    water-only ones) gets weight 0 everywhere.
    """
    directory = Path(directory)
    jurisdictions = _jurisdiction_index()
    zctas, primary_cousub = read_zctas(directory, jurisdictions)
    overlaps, has_county = match_overlaps(directory, zctas, jurisdictions)
    match_ct_regions(
        directory,
        overlaps,
        zctas=zctas,
        primary_cousub=primary_cousub,
        has_county=has_county,
        jurisdictions=jurisdictions,
    )

    total = Counts()
    counts, zcta_pks = bulk_upsert(
        Zcta,
        progress(zctas.values(), label="zctas", total=len(zctas)),
        key=["code"],
        fields=["state_id", "population", "latitude", "longitude", "land_area_sqmi"],
    )
    total.add(counts)
    total.notes.append(_label(counts, "Zcta"))
    counts = _write_overlaps(overlaps, zctas=zctas, zcta_pks=zcta_pks)
    total.add(counts)
    total.notes.append(
        _label(counts, "ZctaJurisdiction")
        + f"; skipped {overlaps.touching} overlaps with no shared land and"
        + f" {overlaps.skipped['county']} county and {overlaps.skipped['place']} place overlaps"
        + " outside the 50 states + DC (or in CT's old counties);"
        + f" {overlaps.by_primary_town} ZCTAs linked to the planning region of their primary town (CT)"
    )
    return total


def town_counties(path: Path, *, states: set[str]) -> dict[tuple[str, str], str]:
    """``(state FIPS, 5-digit county subdivision code) -> current county GEOID`` for ``states``."""
    towns: dict[tuple[str, str], str] = {}
    for line, row in read_rows(path, columns=["GEOID", "County GEOID"]):
        geoid = row["GEOID"]
        if geoid[:2] not in states:
            continue
        cell = Cell(path, line)
        cell.geoid(row, "GEOID", 10)
        towns[(geoid[:2], geoid[5:])] = cell.geoid(row, "County GEOID", 5)
    return towns
