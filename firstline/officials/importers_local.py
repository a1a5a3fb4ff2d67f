"""Every county and place office that can be targeted, titled as its state calls it.

``local_offices_create`` reads the per-state tables in ``data/officials/``
(docs/officials.md, data/officials/README.md) and upserts, for every county or
equivalent, its governing body, its sheriff, its chief prosecutor (one office
per county, or one per multi-county district covering all of its counties) and
its executive where one exists; and for every incorporated place its governing
body and, from 10,000 people, its chief executive when Open States gave none.
Titles come from the tables, never from code: the code only joins a table's
words to a jurisdiction's name.

Offices this importer (or the older 287(g) sheriff step, or Open States' municipal
list) created that the tables no longer call for are deleted when nothing refers
to them; otherwise they are reported.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import ProtectedError, Q

from firstline.geo.models import Jurisdiction, JurisdictionKind
from firstline.lib.importing import Counts, ImportFailed, bulk_upsert, links_sync
from firstline.officials.importers import read_csv
from firstline.officials.importers_csv import COLUMNS as ROSTER_COLUMNS
from firstline.officials.models import ContactKind, ContactPoint, Office, Role

DATA_DIR = Path(settings.DATA_DIR) / "officials"
SOURCE = "create_local_offices"
SHERIFF_CONTACT_SOURCE = (
    "287g-watch scrape of state sheriffs' association directories (unverified), "
    "https://github.com/recoveredfactory/287g-watch"
)
# Offices' contacts in the roster template's columns, each row naming its source; a file
# holds one role, and each row names the jurisdiction whose seat-1 office of that role it fills.
OFFICE_CONTACT_FILES = (("tx_sheriffs.csv", Role.SHERIFF), ("tx_city_halls.csv", Role.MAYOR))
CONTACT_FILE_KINDS: dict[str, str] = {
    Role.SHERIFF: JurisdictionKind.COUNTY,
    Role.MAYOR: JurisdictionKind.PLACE,
}
# Every office contact this step writes carries it, and nothing else may: the
# step replaces all of them on each load. Loads before 2026-12-06 wrote the
# 287g-watch rows as "office"; those (and only those) are replaced too.
BUNDLED_CLASSIFICATION = "bundled"
LEGACY_CLASSIFICATION = "office"
BODY_ROLES = (Role.COUNTY_BOARD, Role.SHERIFF, Role.DISTRICT_ATTORNEY, Role.PLACE_BOARD)
EXECUTIVE_ROLES = (Role.COUNTY_EXECUTIVE, Role.MAYOR)
EXECUTIVE_MIN_POPULATION = 10_000
NO_GOVERNMENT_LSAD = {"census area", "planning region"}

LOCAL_COLUMNS = (
    "usps",
    "county_body_en",
    "county_body_es",
    "sheriff",
    "sheriff_title_en",
    "sheriff_title_es",
    "prosecutor_title_en",
    "prosecutor_title_es",
    "prosecutor_unit",
    "prosecutor_elected",
    "place_body_default_en",
    "place_body_default_es",
    "source_url",
)
PLACE_COLUMNS = ("usps", "place_type", "body_en", "body_es", "executive_en", "executive_es")
DISTRICT_COLUMNS = (
    "usps",
    "district_key",
    "name_en",
    "name_es",
    "title_en",
    "title_es",
    "counties",
)
OVERRIDE_COLUMNS = ("county_ocd_id", "field", "value")
SHERIFF_VALUES = {"elected", "appointed", "none", "state"}
UNIT_VALUES = {"county", "district", "state", "mixed"}

# How Spanish names a county-equivalent: "del Condado de Harris".
ES_KIND = {
    "county": ("Condado", "del Condado de"),
    "parish": ("Parroquia", "de la Parroquia de"),
    "borough": ("Municipio", "del Municipio de"),
    "city and borough": ("Municipio", "del Municipio de"),
    "municipality": ("Municipio", "del Municipio de"),
    "city": ("Ciudad", "de la Ciudad de"),
}


@dataclass(frozen=True)
class StateRules:
    usps: str
    county_body: tuple[str, str]
    sheriff: str
    sheriff_title: tuple[str, str]
    prosecutor_title: tuple[str, str]
    prosecutor_unit: str
    place_body: tuple[str, str]
    source_url: str


@dataclass(frozen=True)
class PlaceRules:
    body: tuple[str, str]
    executive: tuple[str, str]
    executive_min_population: int


@dataclass(frozen=True)
class CountyOverride:
    body: tuple[str, str] | None  # words joined to the county's name, like the state table's
    sheriff: str
    executive: tuple[str, str] | None
    source_url: str
    # Whole titles, for governments not named after the county ("Louisville Metro Council").
    body_title: tuple[str, str] | None = None
    executive_title: tuple[str, str] | None = None


@dataclass(frozen=True)
class ProsecutorialDistrict:
    key: str
    usps: str
    name: tuple[str, str]
    title: tuple[str, str]
    counties: tuple[str, ...]
    source_url: str


@dataclass(frozen=True)
class OfficeContactRow:
    """One row of a bundled office contact file: the office's contact points and their source."""

    role: str
    ocd_id: str
    values: tuple[tuple[str, str], ...]  # (ContactKind, value)
    source: str
    verified_on: dt.date | None
    file: str
    line: int


@dataclass
class Tables:
    states: dict[str, StateRules]
    places: dict[tuple[str, str], PlaceRules]
    overrides: dict[str, CountyOverride]
    districts: list[ProsecutorialDistrict]
    fbi_counties: set[tuple[str, str]]
    sheriff_contacts: dict[tuple[str, str], dict[str, str]]
    office_rows: list[OfficeContactRow] = field(default_factory=list)


# --- reading the tables ----------------------------------------------------------------------


def _pair(row: dict[str, str], stem: str) -> tuple[str, str]:
    en = (row.get(f"{stem}_en") or "").strip()
    return en, (row.get(f"{stem}_es") or "").strip() or en


def _read_states(path: Path) -> dict[str, StateRules]:
    states = {}
    for line, row in read_csv(path, LOCAL_COLUMNS):
        usps = row["usps"].strip().upper()
        sheriff = row["sheriff"].strip().lower()
        unit = row["prosecutor_unit"].strip().lower()
        if sheriff not in SHERIFF_VALUES:
            raise ImportFailed(
                f"not one of {sorted(SHERIFF_VALUES)}", file=path, line=line, field="sheriff"
            )
        if unit not in UNIT_VALUES:
            raise ImportFailed(
                f"not one of {sorted(UNIT_VALUES)}", file=path, line=line, field="prosecutor_unit"
            )
        states[usps] = StateRules(
            usps=usps,
            county_body=_pair(row, "county_body"),
            sheriff=sheriff,
            sheriff_title=_pair(row, "sheriff_title"),
            prosecutor_title=_pair(row, "prosecutor_title"),
            prosecutor_unit=unit,
            place_body=_pair(row, "place_body_default"),
            source_url=row["source_url"].strip(),
        )
    return states


def _read_places(path: Path) -> dict[tuple[str, str], PlaceRules]:
    if not path.exists():
        return {}
    places = {}
    for line, row in read_csv(path, PLACE_COLUMNS):
        minimum = (row.get("executive_min_population") or "").strip() or str(
            EXECUTIVE_MIN_POPULATION
        )
        if not minimum.isdigit():
            raise ImportFailed(
                "not a number", file=path, line=line, field="executive_min_population"
            )
        places[(row["usps"].strip().upper(), row["place_type"].strip().lower())] = PlaceRules(
            body=_pair(row, "body"),
            executive=_pair(row, "executive"),
            executive_min_population=int(minimum),
        )
    return places


OVERRIDE_FIELDS = {
    "county_body_en",
    "county_body_es",
    "county_member_en",
    "county_member_es",
    "county_executive_en",
    "county_executive_es",
    "county_body_title_en",
    "county_body_title_es",
    "county_executive_title_en",
    "county_executive_title_es",
    "sheriff",
}


def _read_override_fields(path: Path, into: dict[str, dict[str, str]]) -> None:
    """Long format: one (county, field, value) per row, so a county lists only what differs."""
    if not path.exists():
        return
    for line, row in read_csv(path, OVERRIDE_COLUMNS):
        ocd_id, name = row["county_ocd_id"].strip(), row["field"].strip()
        if not ocd_id.startswith("ocd-division/"):
            raise ImportFailed(
                "not an ocd-division id", file=path, line=line, field="county_ocd_id"
            )
        if name not in OVERRIDE_FIELDS:
            raise ImportFailed(f"unknown field {name!r}", file=path, line=line, field="field")
        value = row["value"].strip()
        if name == "sheriff" and value.lower() not in SHERIFF_VALUES:
            raise ImportFailed(
                f"not one of {sorted(SHERIFF_VALUES)}", file=path, line=line, field="value"
            )
        fields = into.setdefault(ocd_id, {})
        fields[name] = value.lower() if name == "sheriff" else value
        if row.get("source_url", "").strip():
            fields.setdefault("source_url", row["source_url"].strip())


def _read_overrides(*paths: Path) -> dict[str, CountyOverride]:
    raw: dict[str, dict[str, str]] = {}
    for path in paths:
        _read_override_fields(path, raw)

    def pair(fields: dict[str, str], stem: str) -> tuple[str, str] | None:
        en = fields.get(f"{stem}_en", "")
        return (en, fields.get(f"{stem}_es", "") or en) if en else None

    return {
        ocd_id: CountyOverride(
            body=pair(fields, "county_body"),
            sheriff=fields.get("sheriff", ""),
            executive=pair(fields, "county_executive"),
            source_url=fields.get("source_url", ""),
            body_title=pair(fields, "county_body_title"),
            executive_title=pair(fields, "county_executive_title"),
        )
        for ocd_id, fields in raw.items()
    }


def _read_districts(path: Path) -> list[ProsecutorialDistrict]:
    if not path.exists():
        return []
    districts = []
    for line, row in read_csv(path, DISTRICT_COLUMNS):
        counties = tuple(c.strip() for c in row["counties"].split(";") if c.strip())
        if not counties:
            raise ImportFailed("lists no county", file=path, line=line, field="counties")
        districts.append(
            ProsecutorialDistrict(
                key=row["district_key"].strip(),
                usps=row["usps"].strip().upper(),
                name=_pair(row, "name"),
                title=_pair(row, "title"),
                counties=counties,
                source_url=(row.get("source_url") or "").strip(),
            )
        )
    return districts


def county_key(name: str) -> str:
    """'ST. LOUIS' ~ 'St. Louis' ~ 'Saint Louis', 'miami dade' ~ 'Miami-Dade'; drops the suffix."""
    text = name.lower().replace("saint ", "st ").replace(".", "").replace("'", "").replace("-", " ")
    for suffix in (" county", " parish", " borough", " sheriffs office", " sheriff's office"):
        text = text.removesuffix(suffix)
    return " ".join(text.split())


def _read_sheriff_sources(
    directory: Path,
) -> tuple[set[tuple[str, str]], dict[tuple[str, str], dict[str, str]]]:
    fbi: set[tuple[str, str]] = set()
    for _line, row in read_csv(
        directory / "fbi_county_agencies.csv", ("state_abbr", "county_name")
    ):
        for county in row["county_name"].split(","):
            fbi.add((row["state_abbr"].strip(), county_key(county)))
    contacts: dict[tuple[str, str], dict[str, str]] = {}
    path = directory / "sheriff_contacts_287g_watch.json"
    if path.exists():
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise ImportFailed(f"not JSON: {exc}", file=path) from exc
        for key, value in raw.items():
            usps, _, agency = key.partition("|")
            contacts[(usps, county_key(agency.removesuffix(" sheriffs office")))] = value
    return fbi, contacts


def _office_contact_row(
    cell: dict[str, str], *, role: str, path: Path, line: int, seen: dict[str, int]
) -> OfficeContactRow:
    def fail(message: str, column: str) -> ImportFailed:
        return ImportFailed(message, file=path, line=line, field=column)

    # Holders and other seats go through import_officials_csv, which keeps their terms.
    if cell["role"] != role:
        raise fail(f"only {role} rows belong in {path.name}", "role")
    if cell["name"] or cell["district"]:
        column = "name" if cell["name"] else "district"
        raise fail("must be blank: this file gives the office's contacts only", column)
    unit = CONTACT_FILE_KINDS[role]
    if not cell["jurisdiction"].startswith("ocd-division/"):
        raise fail(f"must be a {unit}'s ocd-division id", "jurisdiction")
    if cell["jurisdiction"] in seen:
        raise fail(f"same {unit} as line {seen[cell['jurisdiction']]}", "jurisdiction")
    seen[cell["jurisdiction"]] = line
    if not cell["source"]:
        raise fail("is required", "source")
    if cell["email"]:
        try:
            validate_email(cell["email"])
        except ValidationError:
            raise fail(f"not an email address: {cell['email']!r}", "email") from None
    verified_on = None
    if cell["verified_on"]:
        try:
            verified_on = dt.date.fromisoformat(cell["verified_on"])
        except ValueError:
            raise fail(f"not a date (YYYY-MM-DD): {cell['verified_on']!r}", "verified_on") from None
    values = tuple(
        (kind, cell[column][:500])
        for kind, column in (
            (ContactKind.EMAIL, "email"),
            (ContactKind.PHONE, "phone"),
            (ContactKind.ADDRESS, "address"),
        )
        if cell[column]
    )
    if not values:
        raise fail("gives no email, phone or address", "address")
    return OfficeContactRow(
        role=role,
        ocd_id=cell["jurisdiction"],
        values=values,
        source=cell["source"][:500],
        verified_on=verified_on,
        file=str(path),
        line=line,
    )


def _read_office_contact_files(directory: Path) -> list[OfficeContactRow]:
    rows = []
    for name, role in OFFICE_CONTACT_FILES:
        path = directory / name
        if not path.exists():
            continue
        seen: dict[str, int] = {}
        for line, raw in read_csv(path, ROSTER_COLUMNS):
            cell = {c: (raw.get(c) or "").strip() for c in ROSTER_COLUMNS}
            if any(cell.values()):
                rows.append(_office_contact_row(cell, role=role, path=path, line=line, seen=seen))
    return rows


def tables_read(directory: Path = DATA_DIR) -> Tables:
    states = _read_states(directory / "local_government.csv")
    fbi, contacts = _read_sheriff_sources(directory)
    return Tables(
        states=states,
        places=_read_places(directory / "place_government.csv"),
        overrides=_read_overrides(
            directory / "county_overrides.csv", directory / "county_titles.csv"
        ),
        districts=_read_districts(directory / "prosecutorial_districts.csv"),
        fbi_counties=fbi,
        sheriff_contacts=contacts,
        office_rows=_read_office_contact_files(directory),
    )


# --- titles ----------------------------------------------------------------------------------


def joined(name: str, words: str) -> str:
    """'Erie County' + 'County Legislature' -> 'Erie County Legislature' (no doubled word)."""
    if not words:
        return name
    if words.startswith(name):  # an override that gives the whole title
        return words
    first, _, rest = words.partition(" ")
    if rest and name.split()[-1].lower() == first.lower():
        return f"{name} {rest}"
    return f"{name} {words}"


def executive_title(name: str, words: str) -> str:
    """'Harris County' + 'County Judge' -> 'Harris County Judge'; a title with its own
    "of" goes first: 'President of the Board of Commissioners, Cook County'."""
    return f"{words}, {name}" if " of " in words else joined(name, words)


def county_es(county: Jurisdiction, words: str) -> str:
    """'Tribunal de Comisionados' -> 'Tribunal de Comisionados del Condado de Harris'."""
    if county.short_name in words:
        return words
    noun, phrase = ES_KIND.get(county.lsad, ("", "de"))
    if noun and words.endswith(noun):
        return f"{words} de {county.short_name}"
    return f"{words} {phrase} {county.short_name}"


# --- building rows ---------------------------------------------------------------------------


@dataclass
class Plan:
    rows: dict[tuple[int, str], dict[str, Any]] = field(default_factory=dict)
    executives: dict[tuple[int, str], dict[str, Any]] = field(default_factory=dict)
    covers: dict[tuple[int, str], list[int]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    fbi_confirmed: int = 0

    def add(
        self, jurisdiction: Jurisdiction, role: str, title: tuple[str, str], source: str
    ) -> None:
        row = {
            "jurisdiction_id": jurisdiction.pk,
            "role": role,
            "district_id": None,
            "seat": 1,
            "title": title[0][:200],
            "title_es": title[1][:200] if title[1] != title[0] else "",
            "source": f"{SOURCE} {source}"[:200],
        }
        target = self.executives if role in EXECUTIVE_ROLES else self.rows
        target[(jurisdiction.pk, role)] = row


def _county_offices(plan: Plan, tables: Tables, county: Jurisdiction) -> None:
    rules = tables.states.get(county.usps)
    if rules is None:
        plan.notes.append(f"no local_government.csv row for {county.usps}: {county.name} skipped")
        return
    override = tables.overrides.get(county.ocd_id)
    source = override.source_url if override and override.source_url else rules.source_url
    body = override.body if override and override.body else rules.county_body
    name = body_name = county.name
    if county.lsad == "city":  # an independent city is governed as a city: "Richmond City Council"
        city = tables.places.get((county.usps, "city"))
        body = city.body if city and city.body[0] else rules.place_body
        name, body_name = f"City of {county.short_name}", county.short_name
    if override and override.body_title:
        plan.add(county, Role.COUNTY_BOARD, override.body_title, source)
    elif body[0] and county.lsad not in NO_GOVERNMENT_LSAD:
        plan.add(
            county,
            Role.COUNTY_BOARD,
            (joined(body_name, body[0]), county_es(county, body[1])),
            source,
        )
    sheriff = (override.sheriff if override and override.sheriff else "") or rules.sheriff
    if sheriff in ("elected", "appointed") and county.lsad not in NO_GOVERNMENT_LSAD:
        en, es = rules.sheriff_title
        plan.add(county, Role.SHERIFF, (f"{en} of {name}", county_es(county, es)), source)
        plan.fbi_confirmed += (county.usps, county_key(county.name)) in tables.fbi_counties
    if rules.prosecutor_unit == "county" and rules.prosecutor_title[0]:
        en, es = rules.prosecutor_title
        plan.add(
            county,
            Role.DISTRICT_ATTORNEY,
            (joined(name, en), county_es(county, es)),
            rules.source_url,
        )
    if override and override.executive_title:
        plan.add(county, Role.COUNTY_EXECUTIVE, override.executive_title, source)
    elif override and override.executive:
        en, es = override.executive
        plan.add(
            county,
            Role.COUNTY_EXECUTIVE,
            (executive_title(name, en), county_es(county, es)),
            source,
        )


def _district_offices(plan: Plan, tables: Tables, counties: dict[str, Jurisdiction]) -> None:
    """One office per prosecutorial district, at its first county, covering all of them."""
    covered: set[str] = set()
    for district in tables.districts:
        rules = tables.states.get(district.usps)
        if rules is None or rules.prosecutor_unit not in ("district", "mixed"):
            continue
        members = [counties[c] for c in district.counties if c in counties]
        unknown = [c for c in district.counties if c not in counties]
        if unknown:
            plan.notes.append(
                f"prosecutorial district {district.key}: unknown counties {', '.join(unknown)}"
            )
        if not members:
            continue
        title = district.title if district.title[0] else rules.prosecutor_title
        en = f"{title[0]}, {district.name[0]}"
        es = f"{title[1]}, {district.name[1]}"
        plan.add(
            members[0], Role.DISTRICT_ATTORNEY, (en, es), f"{district.key} {district.source_url}"
        )
        if len(members) > 1:
            plan.covers[(members[0].pk, Role.DISTRICT_ATTORNEY)] = [m.pk for m in members]
        covered.update(m.ocd_id for m in members)
    for usps, rules in sorted(tables.states.items()):
        if rules.prosecutor_unit in ("district", "mixed"):
            missing = [c for c in counties.values() if c.usps == usps and c.ocd_id not in covered]
            if missing:
                plan.notes.append(
                    f"{usps}: {len(missing)} counties in no listed prosecutorial district (no prosecutor office)"
                )


def _place_offices(plan: Plan, tables: Tables, place: Jurisdiction) -> None:
    rules = tables.states.get(place.usps)
    if rules is None:
        return
    kind = tables.places.get((place.usps, place.lsad)) or tables.places.get((place.usps, "*"))
    body = kind.body if kind and kind.body[0] else rules.place_body
    if body[0]:
        plan.add(
            place,
            Role.PLACE_BOARD,
            (joined(place.short_name, body[0]), f"{body[1]} de {place.short_name}"),
            rules.source_url,
        )
    if kind and kind.executive[0] and (place.population or 0) >= kind.executive_min_population:
        en, es = kind.executive
        plan.add(
            place,
            Role.MAYOR,
            (f"{en} of {place.short_name}", f"{es} de {place.short_name}"),
            rules.source_url,
        )


def _plan(tables: Tables) -> Plan:
    plan = Plan()
    counties = {
        c.ocd_id: c
        for c in Jurisdiction.objects.filter(kind=JurisdictionKind.COUNTY).order_by("usps", "name")
    }
    for county in counties.values():
        _county_offices(plan, tables, county)
    _district_offices(plan, tables, counties)
    places = Jurisdiction.objects.filter(kind=JurisdictionKind.PLACE, incorporated=True).order_by(
        "geoid"
    )
    for place in places.only("pk", "usps", "lsad", "short_name", "name", "population"):
        _place_offices(plan, tables, place)
    return plan


# --- writing ---------------------------------------------------------------------------------


def _upsert_bodies(plan: Plan) -> tuple[Counts, dict[tuple[Any, ...], int]]:
    return bulk_upsert(
        Office,
        plan.rows.values(),
        key=["jurisdiction_id", "role", "district_id", "seat"],
        fields=["title", "title_es", "source"],
        queryset=Office.objects.filter(role__in=BODY_ROLES, district__isnull=True, seat=1),
    )


def _upsert_executives(plan: Plan) -> tuple[Counts, dict[tuple[Any, ...], int]]:
    """Executives only where nobody else (Open States, a roster) created the seat."""
    others = set(
        Office.objects.filter(role__in=EXECUTIVE_ROLES, district__isnull=True, seat=1)
        .exclude(source__startswith=SOURCE)
        .values_list("jurisdiction_id", "role")
    )
    rows = [row for key, row in plan.executives.items() if key not in others]
    return bulk_upsert(
        Office,
        rows,
        key=["jurisdiction_id", "role", "district_id", "seat"],
        fields=["title", "title_es", "source"],
        queryset=Office.objects.filter(
            role__in=EXECUTIVE_ROLES, district__isnull=True, seat=1, source__startswith=SOURCE
        ),
    )


def _sync_covers(plan: Plan, pks: dict[tuple[Any, ...], int]) -> Counts:
    through = Office.covers.through
    pairs = {
        (pks[(jurisdiction_id, role, None, 1)], member)
        for (jurisdiction_id, role), members in plan.covers.items()
        for member in members
    }
    return links_sync(
        through,
        pairs,
        fields=("office_id", "jurisdiction_id"),
        scope=through._default_manager.filter(office__source__startswith=SOURCE),
    )


ContactRows = dict[tuple[int, str, str, str], dict[str, Any]]


def _contact_row(
    office_id: int, kind: str, value: str, source: str, verified_on: dt.date | None = None
) -> dict[str, Any]:
    return {
        "office_id": office_id,
        "kind": kind,
        "classification": BUNDLED_CLASSIFICATION,
        "value": value,
        "note": "" if verified_on else "unverified",
        "source": source,
        "verified_on": verified_on,
    }


def _scraped_contact_rows(
    tables: Tables, sheriffs: dict[tuple[str, str], int | None], rows: ContactRows
) -> list[str]:
    """287g-watch's scrape, matched by state and county name; returns the keys it could not place."""
    unmatched = []
    for key, found in sorted(tables.sheriff_contacts.items()):
        office_id = sheriffs.get(key)
        if office_id is None:
            unmatched.append("|".join(key))
            continue
        for kind, field_name in (
            (ContactKind.PHONE, "phone"),
            (ContactKind.ADDRESS, "address"),
            (ContactKind.WEB, "website"),
        ):
            value = (found.get(field_name) or "").strip()[:500]
            if value:
                rows[(office_id, kind, BUNDLED_CLASSIFICATION, value)] = _contact_row(
                    office_id, kind, value, SHERIFF_CONTACT_SOURCE
                )
    return unmatched


def _file_contact_rows(
    tables: Tables, offices: dict[tuple[str, str], int | None], rows: ContactRows
) -> None:
    """The contact files' rows, by role and ocd id; a jurisdiction without that office is an error."""
    for row in tables.office_rows:
        office_id = offices.get((row.role, row.ocd_id))
        if office_id is None:
            raise ImportFailed(
                f"no {row.role} office for {row.ocd_id!r}",
                file=row.file,
                line=row.line,
                field="jurisdiction",
            )
        for kind, value in row.values:
            rows[(office_id, kind, BUNDLED_CLASSIFICATION, value)] = _contact_row(
                office_id, kind, value, row.source, row.verified_on
            )


def _mayor_offices(executives: set[tuple[int, str]]) -> dict[tuple[str, str], int | None]:
    """Every place's mayor, whoever created the seat (Open States, a roster, this step), but
    not one of this step's that the tables no longer call for: that one is about to go."""
    return {
        (Role.MAYOR, ocd_id): pk
        for pk, ocd_id, jurisdiction_id, source in Office.objects.filter(
            role=Role.MAYOR,
            district__isnull=True,
            seat=1,
            jurisdiction__kind=JurisdictionKind.PLACE,
        ).values_list("pk", "jurisdiction__ocd_id", "jurisdiction_id", "source")
        if not source.startswith(SOURCE) or (jurisdiction_id, Role.MAYOR) in executives
    }


def _office_contacts(
    tables: Tables, pks: dict[tuple[Any, ...], int], executives: set[tuple[int, str]]
) -> Counts:
    by_key: dict[tuple[str, str], int | None] = {}
    offices = _mayor_offices(executives)
    for pk, usps, name, ocd_id in Jurisdiction.objects.filter(
        kind=JurisdictionKind.COUNTY
    ).values_list("pk", "usps", "name", "ocd_id"):
        office_id = pks.get((pk, Role.SHERIFF, None, 1))
        by_key[(usps, county_key(name))] = offices[(Role.SHERIFF, ocd_id)] = office_id
    rows: ContactRows = {}
    unmatched = _scraped_contact_rows(tables, by_key, rows)
    _file_contact_rows(tables, offices, rows)
    # By classification, not source: a row whose source text changes replaces its old copy.
    # A contact staff entered by hand is never in this scope.
    scope = ContactPoint.objects.filter(office__isnull=False).filter(
        Q(classification=BUNDLED_CLASSIFICATION)
        | Q(classification=LEGACY_CLASSIFICATION, source=SHERIFF_CONTACT_SOURCE)
    )
    counts, _ = bulk_upsert(
        ContactPoint,
        rows.values(),
        key=["office_id", "kind", "classification", "value"],
        fields=["note", "source", "verified_on"],
        queryset=scope,
    )
    stale = [
        pk
        for pk, *key in scope.values_list("pk", "office_id", "kind", "classification", "value")
        if tuple(key) not in rows
    ]
    scope.filter(pk__in=stale).delete()
    counts.deleted = len(stale)
    counts.notes.append(
        f"office contacts: {counts.summary()}; "
        f"{len(unmatched)} sheriffs unmatched: {', '.join(unmatched[:10])}"
    )
    return counts


def _remove_nonexistent(*, planned: set[tuple[int, str]]) -> Counts:
    """Delete offices our sources created that the tables no longer call for."""
    counts = Counts()
    candidates = Office.objects.filter(
        role__in=(*BODY_ROLES, *EXECUTIVE_ROLES), district__isnull=True
    )
    # Open States' municipal list named counties it staffs nowhere; a held seat is real.
    legacy = (
        candidates.filter(source__startswith=SOURCE)
        | candidates.filter(source="ice-287g")
        | candidates.filter(
            source="openstates-people municipalities",
            role=Role.COUNTY_EXECUTIVE,
            terms__isnull=True,
        )
    )
    stale = [
        pk
        for pk, jurisdiction_id, role, seat in legacy.values_list(
            "pk", "jurisdiction_id", "role", "seat"
        )
        if seat != 1 or (jurisdiction_id, role) not in planned
    ]
    kept = []
    for office in Office.objects.filter(pk__in=stale).order_by("pk"):
        if office.terms.exists():
            kept.append(office.title)
            continue
        try:
            with transaction.atomic():
                office.delete()
            counts.deleted += 1
        except ProtectedError:
            kept.append(office.title)
    if counts.deleted:
        counts.notes.append(f"offices that do not exist, deleted: {counts.deleted}")
    if kept:
        counts.notes.append(f"offices that do not exist but have history, kept: {'; '.join(kept)}")
    return counts


def local_offices_create(*, directory: Path = DATA_DIR) -> Counts:
    tables = tables_read(directory)
    plan = _plan(tables)
    counts = Counts()
    body_counts, pks = _upsert_bodies(plan)
    exec_counts, _ = _upsert_executives(plan)
    for label, part in (
        ("bodies, sheriffs, prosecutors", body_counts),
        ("executives", exec_counts),
    ):
        counts.add(part)
        counts.notes.append(f"offices ({label}): {part.summary()}")
    covers = _sync_covers(plan, pks)
    counts.add(covers)
    counts.notes.append(f"prosecutorial district links: {covers.summary()}")
    counts.add(_office_contacts(tables, pks, set(plan.executives)))
    counts.add(_remove_nonexistent(planned={*plan.rows, *plan.executives}))
    by_role: dict[str, int] = defaultdict(int)
    for _j, role in (*plan.rows, *plan.executives):
        by_role[role] += 1
    counts.notes.append("planned: " + ", ".join(f"{r}={n}" for r, n in sorted(by_role.items())))
    counts.notes.append(f"sheriffs confirmed by the FBI agency list: {plan.fbi_confirmed}")
    counts.notes.extend(plan.notes)
    return counts
