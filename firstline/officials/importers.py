"""State legislative districts, their seats, and the ZCTA -> district links.

``districts_import`` reads Open States' ``districts.csv`` (+ ``jurisdictions.json``
for chamber and state names) and creates one ``District`` per row and one
``Office`` per seat, plus the statewide offices every state has (governor and
attorney general; the mayor of DC). ``zcta_districts_import`` reads the Census
2024 SLD x ZCTA crosswalk and maps the Census SLD codes to Open States district
names with the per-state rules in :func:`sld_candidates` (see docs/officials.md).

Both run inside ImportCommand's single transaction, so an ImportFailed leaves the
database as it was.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db.models import QuerySet

from firstline.geo.models import (
    Chamber,
    District,
    Jurisdiction,
    JurisdictionKind,
    Zcta,
    ZctaDistrict,
)
from firstline.lib.importing import Counts, ImportFailed, bulk_upsert, links_sync, progress
from firstline.officials.models import Office, Role

OPENSTATES_DIR = Path(settings.DATA_DIR) / "openstates"
CROSSWALKS_DIR = Path(settings.DATA_DIR) / "crosswalks"
DISTRICTS_CSV = OPENSTATES_DIR / "districts.csv.gz"
JURISDICTIONS_JSON = OPENSTATES_DIR / "jurisdictions.json"
ZCTA_SLD_CSV = CROSSWALKS_DIR / "zcta_state_legislative_districts_2024.csv.gz"
SLD_NAMES_CSV = CROSSWALKS_DIR / "state_legislative_districts_2024_names.csv.gz"

# Open States also covers Congress and the territories; Firstline covers the 50
# states and DC, which is what geo's Jurisdiction table holds.
NOT_COVERED = frozenset({"US", "PR", "AS", "GU", "MP", "VI"})
CHAMBER_ROLE: dict[str, Role] = {
    Chamber.UPPER: Role.STATE_SENATOR,
    Chamber.LOWER: Role.STATE_REPRESENTATIVE,
    Chamber.UNICAMERAL: Role.LEGISLATOR,
}
LEGISLATIVE_ROLES = tuple(CHAMBER_ROLE.values())
DISTRICTS_SOURCE = "openstates-metadata districts.csv"
STATEWIDE_SOURCE = "openstates-metadata jurisdictions.json"
STATEWIDE_TITLES = {
    Role.GOVERNOR: "Governor of {state}",
    Role.LT_GOVERNOR: "Lieutenant Governor of {state}",
    Role.ATTORNEY_GENERAL: "Attorney General of {state}",
    Role.SECRETARY_OF_STATE: "Secretary of State of {state}",
    Role.TREASURER: "Treasurer of {state}",
    Role.AUDITOR: "Auditor of {state}",
    Role.CHIEF_ELECTION_OFFICER: "Chief Election Officer of {state}",
    Role.MAYOR: "Mayor of {state}",
}
DC_USPS = "DC"
NUMBERED = re.compile(r"^(\d+[A-Za-z]?|[A-Z])$")


def open_text(path: Path) -> IO[str]:
    """Open a text file, transparently gunzipping ``*.gz`` (the bundled copies are compressed)."""
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return path.open(encoding="utf-8-sig", newline="")


def read_csv(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row), failing up front on a missing column."""
    if not path.exists():
        raise ImportFailed("file not found", file=path)
    with open_text(path) as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise ImportFailed(
                f"missing column(s) {', '.join(missing)}", file=path, line=1, field=missing[0]
            )
        for row in reader:
            yield reader.line_num, row


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def state_name(jurisdiction: Jurisdiction) -> str:
    return "the District of Columbia" if jurisdiction.usps == DC_USPS else jurisdiction.name


def statewide_title(*, role: str, state: Jurisdiction) -> str:
    return STATEWIDE_TITLES[Role(role)].format(state=state_name(state))


def legislative_title(
    *, member_title: str, state: str, chamber_name: str, district: str, seat: int, num_seats: int
) -> str:
    """'State Senator, Texas Senate District 7'; 'Councilmember, Council of the District of Columbia, Ward 1'."""
    who = f"State {member_title}" if member_title in ("Senator", "Representative") else member_title
    body = (
        chamber_name
        if state in chamber_name or "District of Columbia" in chamber_name
        else f"{state} {chamber_name}"
    )
    where = f"{body} District {district}" if NUMBERED.match(district) else f"{body}, {district}"
    title = f"{who}, {where}"
    if num_seats > 1:
        title += f" (seat {seat} of {num_seats})"
    return title


def load_jurisdictions_json(path: Path) -> dict[str, dict[str, Any]]:
    """abbr -> jurisdiction dict, for the 50 states and DC."""
    if not path.exists():
        raise ImportFailed("file not found", file=path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ImportFailed(f"malformed JSON: {exc.msg}", file=path, line=exc.lineno) from exc
    out: dict[str, dict[str, Any]] = {}
    for n, item in enumerate(data, 1):
        for field in ("abbr", "division_id", "name"):
            if not item.get(field):
                raise ImportFailed(
                    "missing value", file=path, line=f"jurisdiction #{n}", field=field
                )
        if item["abbr"] not in NOT_COVERED:
            out[item["abbr"]] = item
    return out


def states_by_usps(jurisdictions: dict[str, dict[str, Any]]) -> dict[str, Jurisdiction]:
    wanted = {item["division_id"]: abbr for abbr, item in jurisdictions.items()}
    found = {
        j.ocd_id: j
        for j in Jurisdiction.objects.filter(kind=JurisdictionKind.STATE, ocd_id__in=wanted)
    }
    missing = sorted(set(wanted) - set(found))
    if missing:
        raise ImportFailed(
            f"{len(missing)} state jurisdiction(s) are not loaded (run import_census first), e.g. {missing[0]}"
        )
    return {abbr: found[division] for division, abbr in wanted.items()}


def read_districts(path: Path, states: dict[str, Jurisdiction]) -> list[dict[str, Any]]:
    """The rows of districts.csv in the 50 states and DC, validated."""
    required = ("state", "chamber", "chamber_name", "title", "district", "num_seats", "division_id")
    parsed: list[dict[str, Any]] = []
    for line, row in read_csv(path, required):
        usps = row["state"].strip().upper()
        if usps in NOT_COVERED:
            continue
        if usps not in states:
            raise ImportFailed(f"unknown state {usps!r}", file=path, line=line, field="state")
        chamber = row["chamber"].strip()
        if chamber not in Chamber.values:
            raise ImportFailed(
                f"unknown chamber {chamber!r}", file=path, line=line, field="chamber"
            )
        try:
            seats = int(row["num_seats"])
        except ValueError:
            raise ImportFailed(
                f"not a number: {row['num_seats']!r}", file=path, line=line, field="num_seats"
            ) from None
        if not 1 <= seats <= 20:
            raise ImportFailed(
                f"implausible seat count {seats}", file=path, line=line, field="num_seats"
            )
        name, division = row["district"].strip(), row["division_id"].strip()
        if not name or not division.startswith("ocd-division/"):
            field = "district" if not name else "division_id"
            raise ImportFailed("missing or malformed value", file=path, line=line, field=field)
        parsed.append(
            {
                "usps": usps,
                "chamber": chamber,
                "chamber_name": row["chamber_name"].strip(),
                "title": row["title"].strip(),
                "name": name,
                "num_seats": seats,
                "division": division,
            }
        )
    return parsed


def assign_district_ids(parsed: list[dict[str, Any]], states: dict[str, Jurisdiction]) -> None:
    """Give each parsed row its ``ocd_id``: the division id, unless that is not unique.

    districts.csv gives DC's Chairman and At-Large seats the District's own
    division id; District.ocd_id must be unique, so such rows get the name appended.
    """
    uses: dict[str, int] = defaultdict(int)
    for p in parsed:
        uses[p["division"]] += 1
    state_divisions = {j.ocd_id for j in states.values()}
    for p in parsed:
        ocd = p["division"]
        if uses[ocd] > 1 or ocd in state_divisions:
            ocd = f"{ocd}/name:{slug(p['name'])}"
        p["ocd_id"] = ocd


def _upsert_districts(
    parsed: list[dict[str, Any]], states: dict[str, Jurisdiction]
) -> tuple[Counts, dict[tuple[Any, ...], int]]:
    district_rows = [
        {
            "ocd_id": p["ocd_id"],
            "state_id": states[p["usps"]].pk,
            "chamber": p["chamber"],
            "chamber_name": p["chamber_name"],
            "title": p["title"],
            "name": p["name"],
            "num_seats": p["num_seats"],
        }
        for p in parsed
    ]
    return bulk_upsert(
        District,
        progress(district_rows, label="districts"),
        key=["ocd_id"],
        fields=["state_id", "chamber", "chamber_name", "title", "name", "num_seats"],
    )


def _upsert_seats(
    parsed: list[dict[str, Any]],
    states: dict[str, Jurisdiction],
    district_pks: dict[tuple[Any, ...], int],
) -> Counts:
    """One legislative Office per seat of every district."""
    office_rows = []
    for p in parsed:
        state = states[p["usps"]]
        for seat in range(1, p["num_seats"] + 1):
            office_rows.append(
                {
                    "jurisdiction_id": state.pk,
                    "role": CHAMBER_ROLE[p["chamber"]],
                    "district_id": district_pks[(p["ocd_id"],)],
                    "seat": seat,
                    "source": DISTRICTS_SOURCE,
                    "title": legislative_title(
                        member_title=p["title"],
                        state=state.name,
                        chamber_name=p["chamber_name"],
                        district=p["name"],
                        seat=seat,
                        num_seats=p["num_seats"],
                    ),
                }
            )
    counts, _ = bulk_upsert(
        Office,
        progress(office_rows, label="legislative seats"),
        key=["jurisdiction_id", "role", "district_id", "seat"],
        fields=["title", "source"],
        queryset=Office.objects.filter(district__isnull=False),
    )
    counts.notes.append(f"legislative seats: {counts.summary()} ({len(office_rows)} seats)")
    return counts


def _upsert_statewide(states: dict[str, Jurisdiction]) -> Counts:
    """The offices every state has: governor and attorney general; DC's mayor."""
    statewide_rows = []
    for abbr, state in sorted(states.items()):
        roles = [Role.MAYOR] if abbr == DC_USPS else [Role.GOVERNOR, Role.ATTORNEY_GENERAL]
        for role in roles:
            statewide_rows.append(
                {
                    "jurisdiction_id": state.pk,
                    "role": role,
                    "seat": 1,
                    "district_id": None,
                    "title": statewide_title(role=role, state=state),
                    "source": STATEWIDE_SOURCE,
                }
            )
    counts, _ = bulk_upsert(
        Office,
        statewide_rows,
        key=["jurisdiction_id", "role", "seat"],
        fields=["district_id", "title", "source"],
        queryset=Office.objects.filter(
            district__isnull=True,
            jurisdiction__kind=JurisdictionKind.STATE,
            role__in=[Role.GOVERNOR, Role.ATTORNEY_GENERAL, Role.MAYOR],
        ),
    )
    counts.notes.append(f"statewide offices: {counts.summary()}")
    return counts


def districts_import(
    *, districts_path: Path = DISTRICTS_CSV, jurisdictions_path: Path = JURISDICTIONS_JSON
) -> Counts:
    """Districts, their legislative seats, and the statewide offices."""
    states = states_by_usps(load_jurisdictions_json(jurisdictions_path))
    parsed = read_districts(districts_path, states)
    assign_district_ids(parsed, states)
    counts, district_pks = _upsert_districts(parsed, states)
    counts.notes.append(f"districts: {counts.summary()}")
    counts.add(_upsert_seats(parsed, states, district_pks))
    counts.add(_upsert_statewide(states))
    return counts


# --- Census SLD codes -> Open States district names ------------------------------------

ORDINALS = {
    "first": "1st",
    "second": "2nd",
    "third": "3rd",
    "fourth": "4th",
    "fifth": "5th",
    "sixth": "6th",
    "seventh": "7th",
    "eighth": "8th",
    "ninth": "9th",
    "tenth": "10th",
    "eleventh": "11th",
    "twelfth": "12th",
}
BOILERPLATE = re.compile(
    r"\b(state (house|senate|assembly) district|senatorial district|state (house|senate)|district)\b"
)
# States whose Census codes are not Open States names; the crosswalk's names are
# matched instead (MA "Berkshire-Hampden-Franklin-Hampshire District" ->
# "Berkshire, Hampden, Franklin and Hampshire"; NH "State House District Carroll 02"
# -> "Carroll 2"; VT "CHS"/"Chittenden South East Senatorial District" ->
# "Chittenden Southeast").
MATCH_BY_NAME = {
    ("MA", "upper"),
    ("MA", "lower"),
    ("NH", "lower"),
    ("VT", "upper"),
    ("VT", "lower"),
}


def name_key(name: str) -> str:
    """A spelling-insensitive key: no boilerplate, punctuation, 'and', leading zeros; ordinals as 1st."""
    text = BOILERPLATE.sub(" ", name.lower())
    tokens = [t for t in re.split(r"[^a-z0-9]+", text) if t and t != "and"]
    return "".join(str(int(t)) if t.isdigit() else ORDINALS.get(t, t) for t in tokens)


def os_chamber(usps: str, census_chamber: str) -> str:
    # The crosswalk files Nebraska's one chamber under "upper".
    return Chamber.UNICAMERAL if usps == "NE" else census_chamber


def sld_candidates(
    *,
    usps: str,
    chamber: str,
    code: str,
    census_name: str,
    names: dict[str, int],
    keyed: dict[str, int],
) -> list[int]:
    """District pks for one Census SLD code, by the per-state rules (docs/officials.md)."""
    if (usps, chamber) in MATCH_BY_NAME:
        pk = keyed.get(name_key(census_name)) if census_name else None
        return [pk] if pk else []
    if usps == "ID" and chamber == Chamber.LOWER:
        # Idaho elects two representatives per legislative district, seats A and B,
        # each district-wide; Open States names them "1A" and "1B", the Census "1".
        return [names[n] for n in (f"{code}A", f"{code}B") if n in names]
    if code in names:
        return [names[code]]
    if code.isdigit() and str(int(code)) in names:
        return [names[str(int(code))]]
    pk = keyed.get(name_key(census_name)) if census_name else None
    return [pk] if pk else []


def read_census_names(path: Path) -> dict[tuple[str, str, str], str]:
    """``(usps, Census chamber, SLD code) -> the Census district name``."""
    census_names: dict[tuple[str, str, str], str] = {}
    for _line, row in read_csv(path, ("state", "chamber", "district", "district_name")):
        census_names[(row["state"].upper(), row["chamber"], row["district"])] = row["district_name"]
    return census_names


@dataclass
class Crosswalk:
    """The crosswalk matched to Open States districts, and what did not match."""

    census_names: dict[tuple[str, str, str], str]
    # (usps, Census chamber, SLD code) -> District pks; empty when unmapped
    mapping: dict[tuple[str, str, str], list[int]]
    unmapped: defaultdict[tuple[str, str, str], int]  # ZCTA rows dropped per unmapped code
    unknown_zctas: set[str]
    pairs: set[tuple[int, int]]  # (zcta pk, district pk)
    states_seen: set[str]
    census_code: defaultdict[int, set[str]]  # district pk -> its Census SLD codes


def match_crosswalk(path: Path, census_names: dict[tuple[str, str, str], str]) -> Crosswalk:
    """Read the ZCTA x SLD crosswalk and map each Census code with :func:`sld_candidates`."""
    by_name: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for pk, usps, chamber, name in District.objects.values_list(
        "pk", "state__usps", "chamber", "name"
    ):
        by_name[(usps, chamber)][name] = pk
    keyed = {k: {name_key(n): pk for n, pk in v.items()} for k, v in by_name.items()}
    zctas = dict(Zcta.objects.values_list("code", "pk"))
    if not zctas:
        raise ImportFailed("no ZCTAs are loaded (run import_zctas first)", file=path)

    found = Crosswalk(
        census_names=census_names,
        mapping={},
        unmapped=defaultdict(int),
        unknown_zctas=set(),
        pairs=set(),
        states_seen=set(),
        census_code=defaultdict(set),
    )
    for line, row in progress(
        read_csv(path, ("state", "chamber", "district", "zcta")), label="zcta districts"
    ):
        usps, code, zcta = row["state"].upper(), row["district"].strip(), row["zcta"].strip()
        if row["chamber"] not in ("upper", "lower"):
            raise ImportFailed(
                f"unknown chamber {row['chamber']!r}", file=path, line=line, field="chamber"
            )
        if not (len(zcta) == 5 and zcta.isdigit()):
            raise ImportFailed(f"not a 5-digit ZCTA: {zcta!r}", file=path, line=line, field="zcta")
        chamber = os_chamber(usps, row["chamber"])
        found.states_seen.add(usps)
        key = (usps, row["chamber"], code)
        pks = found.mapping.get(key)
        if pks is None:
            pks = found.mapping[key] = sld_candidates(
                usps=usps,
                chamber=chamber,
                code=code,
                census_name=census_names.get(key, ""),
                names=by_name.get((usps, chamber), {}),
                keyed=keyed.get((usps, chamber), {}),
            )
            for pk in pks:
                found.census_code[pk].add(code)
        if not pks:
            found.unmapped[key] += 1
            continue
        zcta_pk = zctas.get(zcta)
        if zcta_pk is None:
            found.unknown_zctas.add(zcta)
            continue
        for pk in pks:
            found.pairs.add((zcta_pk, pk))
    return found


def _write_crosswalk(found: Crosswalk, districts: QuerySet[District]) -> Counts:
    """The links, and each district's Census codes, for the states in the file."""
    links = ZctaDistrict.objects.filter(district__state__usps__in=found.states_seen)
    # A link row is only its natural key, so an upsert is a set difference; links the
    # file no longer has (a district's area changed between snapshots) are deleted.
    counts = links_sync(ZctaDistrict, found.pairs, fields=("zcta_id", "district_id"), scope=links)
    counts.notes.append(f"zcta-district links: {counts.summary()}")

    code_rows = [
        {"ocd_id": ocd, "census_code": ",".join(sorted(found.census_code.get(pk, ())))}
        for pk, ocd in districts.values_list("pk", "ocd_id")
    ]
    code_counts, _ = bulk_upsert(
        District, code_rows, key=["ocd_id"], fields=["census_code"], queryset=districts
    )
    counts.notes.append(f"district census codes: {code_counts.summary()}")
    counts.updated += code_counts.updated
    counts.noop += code_counts.noop
    return counts


def _crosswalk_report(found: Crosswalk, districts: QuerySet[District], counts: Counts) -> None:
    """What did not match, and how much of the country the links cover."""
    mapped_codes = sum(1 for pks in found.mapping.values() if pks)
    counts.notes.append(
        f"census SLD codes: {len(found.mapping)} seen, {mapped_codes} mapped, {len(found.unmapped)} unmapped"
    )
    for (usps, chamber, code), n in sorted(found.unmapped.items()):
        counts.notes.append(
            f"UNMAPPED {usps} {chamber} {code!r} {found.census_names.get((usps, chamber, code), '')!r} ({n} ZCTA rows dropped)"
        )
    counts.skipped += sum(found.unmapped.values()) + len(found.unknown_zctas)
    if found.unknown_zctas:
        counts.notes.append(
            f"{len(found.unknown_zctas)} ZCTA(s) not in the ZCTA table, e.g. {', '.join(sorted(found.unknown_zctas)[:5])}"
        )
    linked = {d for _, d in found.pairs}
    by_state: dict[str, int] = defaultdict(int)
    for pk, usps in districts.values_list("pk", "state__usps"):
        if pk not in linked:
            by_state[usps] += 1
    if by_state:
        counts.notes.append(
            "Open States districts with no Census SLD (e.g. NH floterials): "
            + ", ".join(f"{k} {v}" for k, v in sorted(by_state.items()))
        )
    from firstline.officials.selectors import zcta_district_coverage

    coverage = zcta_district_coverage()
    counts.notes.append(
        f"ZCTA coverage (50 states): upper {coverage.upper_pct:.2f}%, lower {coverage.lower_pct:.2f}% "
        f"of {coverage.total} ZCTAs; worst states: "
        + ", ".join(f"{s} {u:.1f}%/{lo:.1f}%" for s, u, lo in coverage.worst(5))
    )


def zcta_districts_import(
    *, crosswalk_path: Path = ZCTA_SLD_CSV, names_path: Path = SLD_NAMES_CSV
) -> Counts:
    """Link ZCTAs to the state legislative districts they overlap."""
    found = match_crosswalk(crosswalk_path, read_census_names(names_path))
    # Everything below is scoped to the states in this file, so a one-state file
    # neither unlinks nor re-codes the others.
    districts = District.objects.filter(state__usps__in=found.states_seen)
    counts = _write_crosswalk(found, districts)
    _crosswalk_report(found, districts, counts)
    return counts
