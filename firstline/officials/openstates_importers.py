"""Open States people (``data/<state>/{legislature,executive,municipalities}/*.yml``).

Reads a snapshot of github.com/openstates/people, either a checkout (directory)
or a tarball of its layout (the bundled ``data/openstates/openstates-people.tar.xz``),
and turns every person's roles into Terms in Offices, their email, offices and
links into ContactPoints, and keeps their sources.

Rules (docs/officials.md):
- A role is current when it has no end_date or one on/after the snapshot date
  (``as_of``); its scheduled end goes to ``Term.scheduled_end_date``. A role that
  has ended becomes a closed Term (end_date, end_reason).
- Multi-member districts: current members keep the seat they already hold; new
  members fill the free seats in order of (start date, family name, id).
- Re-importing a newer snapshot: every open Term from this importer, in a state
  the snapshot covers, whose person/seat is no longer in it, is ended on the
  snapshot date. States absent from the snapshot are left alone.
- ``us/`` (Congress: federal, out of scope) and ``pr/`` (Puerto Rico: not in
  geo's 50 states + DC) are skipped.

Everything is batched (one bulk_upsert per model) and parsed with the C YAML
loader: the national file takes a few seconds.
"""

from __future__ import annotations

import re
import tarfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from django.db.models import Q

from firstline.geo.models import Chamber, District, Jurisdiction, JurisdictionKind
from firstline.lib.importing import Counts, ImportFailed, bulk_upsert, progress
from firstline.officials.importers import CHAMBER_ROLE, DC_USPS, OPENSTATES_DIR, statewide_title
from firstline.officials.models import ContactKind, ContactPoint, Office, Person, Role, Term
from firstline.officials.roles import openstates_executive_roles

# The overlay runs after this import; its reason marks the terms it ended.
OVERLAY_REASON = "Succeeded (statewide overlay)"
OVERLAY_SOURCE = "apply_statewide_overlay"

BUNDLED_SNAPSHOT = OPENSTATES_DIR / "openstates-people.tar.xz"
BUNDLED_COMMIT = "934bf09a94a35351baf872c70e778a4367c8266e"
BUNDLED_AS_OF = date(2026, 8, 5)

SKIPPED_STATES = {"us", "pr"}
PERSON_FILE = re.compile(r"^data/([a-z]{2})/(legislature|executive|municipalities)/[^/]+\.ya?ml$")
MUNICIPALITIES_FILE = re.compile(r"^data/([a-z]{2})/municipalities\.ya?ml$")
JURISDICTION_ID = re.compile(
    r"^ocd-jurisdiction/country:us/(?:state|district):([a-z]{2})(?:/(place|county):([^/]+))?/government$"
)
CHAMBER_BY_TYPE = {
    "upper": Chamber.UPPER,
    "lower": Chamber.LOWER,
    "legislature": Chamber.UNICAMERAL,
}
EXECUTIVE_ROLES = openstates_executive_roles()
TERM_SOURCE = "import_openstates"
MUNICIPAL_SOURCE = "openstates-people municipalities"
CONTACT_SOURCE_PREFIXES = ("https://github.com/openstates/people/", "Open States people")

OfficeKey = tuple[int, str, int | None, int]  # jurisdiction, role, district, seat


@dataclass
class Snapshot:
    path: Path
    as_of: date
    commit: str = ""

    def source_url(self, member: str) -> str:
        if self.commit:
            return f"https://github.com/openstates/people/blob/{self.commit}/{member}"
        return f"Open States people {self.as_of.isoformat()}, {member}"


@dataclass
class ParsedRole:
    member: str
    index: int
    kind: str
    usps: str
    place: tuple[str, str] | None  # ("place"|"county", slug) for municipal roles
    district: str
    start: date | None
    end: date | None
    end_reason: str


@dataclass
class ParsedPerson:
    member: str
    usps: str
    data: dict[str, Any]
    roles: list[ParsedRole] = field(default_factory=list)


# --- reading ------------------------------------------------------------------------------


def _member_name(name: str) -> str | None:
    """The path from ``data/`` on: tarballs of GitHub archives carry a ``people-<sha>/`` prefix."""
    match = re.search(r"(?:^|/)(data/[a-z]{2}/.+)$", name)
    return match.group(1) if match else None


def snapshot_files(path: Path) -> Iterator[tuple[str, bytes]]:
    """(member path from ``data/``, bytes) for every person and municipalities file, sorted."""
    if path.is_dir():
        base = path if (path / "data").is_dir() else path.parent if path.name == "data" else None
        if base is None:
            raise ImportFailed("not an Open States people checkout (no data/ folder)", file=path)
        for file in sorted(base.glob("data/*/*")):
            if file.is_dir():
                for inner in sorted(file.iterdir()):
                    if inner.is_file():
                        yield (
                            f"data/{file.parent.name}/{file.name}/{inner.name}",
                            inner.read_bytes(),
                        )
            elif file.is_file():
                yield f"data/{file.parent.name}/{file.name}", file.read_bytes()
        return
    if not path.exists():
        raise ImportFailed("file not found", file=path)
    try:
        with tarfile.open(path, "r:*") as archive:
            for info in archive:
                member = _member_name(info.name) if info.isfile() else None
                if member and (PERSON_FILE.match(member) or MUNICIPALITIES_FILE.match(member)):
                    handle = archive.extractfile(info)
                    if handle is not None:
                        yield member, handle.read()
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise ImportFailed(f"unreadable archive: {exc}", file=path) from exc


def _date(value: Any, *, where: str, member: str, path: Path) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    text = str(value)
    try:
        if re.fullmatch(r"\d{4}", text):
            return date(int(text), 1, 1)
        if re.fullmatch(r"\d{4}-\d{2}", text):
            return date.fromisoformat(f"{text}-01")
        return date.fromisoformat(text)
    except ValueError:
        raise ImportFailed(f"not a date: {text!r}", file=f"{path}: {member}", field=where) from None


def _plain(node: yaml.Node) -> Any:
    """Plain Python values from a composed node: mappings, lists, strings (None for null).

    The C loader parses and composes; building values from its nodes directly skips
    PyYAML's pure-Python constructor, which is most of the load time. Scalars stay
    strings (dates are parsed where they are used), which is all these files need.
    """
    if isinstance(node, yaml.MappingNode):
        return {_plain(k): _plain(v) for k, v in node.value}
    if isinstance(node, yaml.SequenceNode):
        return [_plain(v) for v in node.value]
    if node.tag == "tag:yaml.org,2002:null":
        return None
    return node.value


def _load_yaml(raw: bytes, *, member: str, path: Path) -> Any:
    loader = yaml.CSafeLoader(raw)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ImportFailed(
            f"malformed YAML ({problem})",
            file=f"{path}: {member}",
            line=mark.line + 1 if mark is not None else None,
        ) from exc
    finally:
        loader.dispose()
    return _plain(node) if node is not None else None


def parse_person(raw: bytes, *, member: str, usps: str, path: Path) -> ParsedPerson:
    data = _load_yaml(raw, member=member, path=path)
    where = f"{path}: {member}"
    if not isinstance(data, dict):
        raise ImportFailed("expected a mapping of person fields", file=where)
    for key in ("id", "name", "roles"):
        if not data.get(key):
            raise ImportFailed("missing value (truncated file?)", file=where, field=key)
    if not str(data["id"]).startswith("ocd-person/"):
        raise ImportFailed(f"not an ocd-person id: {data['id']!r}", file=where, field="id")
    if not isinstance(data["roles"], list):
        raise ImportFailed("expected a list", file=where, field="roles")
    person = ParsedPerson(member=member, usps=usps, data=data)
    for i, role in enumerate(data["roles"]):
        if not isinstance(role, dict) or not role.get("type") or not role.get("jurisdiction"):
            raise ImportFailed(
                "a role needs a type and a jurisdiction", file=where, field=f"roles[{i}]"
            )
        match = JURISDICTION_ID.match(str(role["jurisdiction"]))
        if not match:
            raise ImportFailed(
                f"unrecognised jurisdiction {role['jurisdiction']!r}",
                file=where,
                field=f"roles[{i}].jurisdiction",
            )
        kind = str(role["type"])
        if kind in CHAMBER_BY_TYPE and not role.get("district"):
            raise ImportFailed(
                "a legislative role needs a district", file=where, field=f"roles[{i}].district"
            )
        person.roles.append(
            ParsedRole(
                member=member,
                index=i,
                kind=kind,
                usps=match.group(1).upper(),
                place=(match.group(2), match.group(3)) if match.group(2) else None,
                district=str(role.get("district") or ""),
                start=_date(
                    role.get("start_date"), where=f"roles[{i}].start_date", member=member, path=path
                ),
                end=_date(
                    role.get("end_date"), where=f"roles[{i}].end_date", member=member, path=path
                ),
                end_reason=str(role.get("end_reason") or "")[:200],
            )
        )
    return person


def read_snapshot(path: Path) -> tuple[list[ParsedPerson], dict[str, tuple[str, str]]]:
    """People of the 50 states + DC, and municipalities.yml: jurisdiction id -> (usps, name)."""
    people: list[ParsedPerson] = []
    municipalities: dict[str, tuple[str, str]] = {}
    for member, raw in progress(snapshot_files(path), label="open states files"):
        match = PERSON_FILE.match(member)
        if match:
            if match.group(1) not in SKIPPED_STATES:
                people.append(
                    parse_person(raw, member=member, usps=match.group(1).upper(), path=path)
                )
            continue
        match = MUNICIPALITIES_FILE.match(member)
        if match and match.group(1) not in SKIPPED_STATES:
            entries = _load_yaml(raw, member=member, path=path) or []
            if not isinstance(entries, list):
                raise ImportFailed("expected a list of municipalities", file=f"{path}: {member}")
            for n, entry in enumerate(entries):
                if not isinstance(entry, dict) or not entry.get("id") or not entry.get("name"):
                    raise ImportFailed(
                        "an entry needs a name and an id",
                        file=f"{path}: {member}",
                        line=f"entry #{n + 1}",
                    )
                municipalities[str(entry["id"])] = (match.group(1).upper(), str(entry["name"]))
    if not people:
        raise ImportFailed(
            "no person files found (expected data/<state>/legislature/*.yml)", file=path
        )
    return people, municipalities


# --- resolving roles to offices -------------------------------------------------------------


@dataclass
class Context:
    states: dict[str, Jurisdiction]
    districts: dict[
        tuple[str, str, str], tuple[int, int]
    ]  # (usps, chamber, name) -> (pk, num_seats)
    offices: dict[OfficeKey, int]
    new_offices: dict[OfficeKey, dict[str, Any]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def office(self, key: OfficeKey, *, title: str, source: str) -> OfficeKey:
        if key not in self.offices and key not in self.new_offices:
            self.new_offices[key] = {
                "jurisdiction_id": key[0],
                "role": key[1],
                "district_id": key[2],
                "seat": key[3],
                "title": title,
                "source": source,
            }
        return key


def _division_for(usps: str, place: tuple[str, str]) -> str:
    kind, slug = place
    return f"ocd-division/country:us/state:{usps.lower()}/{kind}:{slug}"


def place_key(name: str) -> str:
    """'Saint Paul' ~ 'St. Paul', "Lees Summit" ~ "Lee's Summit", 'Boise' ~ 'Boise City'."""
    text = re.sub(r"\bsaint\b", "st", name.lower())
    text = re.sub(r"\bsainte\b", "ste", text)
    text = re.sub(r"\s+(city|town|township|borough|village)$", "", text.strip())
    return re.sub(r"[^a-z0-9]", "", text)


def resolve_places(
    divisions: dict[str, tuple[str, tuple[str, str], str]],
) -> tuple[dict[str, tuple[Jurisdiction, str]], list[str]]:
    """Open States municipal jurisdictions -> (geo Jurisdiction, role).

    ``divisions`` maps a jurisdiction id to (usps, (kind, slug), display name).
    Matching: the OCD division id itself (incorporated places and counties); then,
    for Open States' "place:<x>_county" (county executives it files as mayors), the
    county; then the name in its state, spelled loosely (:func:`place_key`), among
    incorporated places (the most populous wins). The rest is reported, not guessed.
    """
    wanted: dict[str, str] = {}
    for jid, (usps, place, _name) in divisions.items():
        wanted[_division_for(usps, place)] = jid
        kind, slug = place
        if kind == "place" and slug.endswith("_county"):
            wanted[_division_for(usps, ("county", slug.removesuffix("_county")))] = jid
    # A census-designated place has no government, so no mayor: only incorporated places match.
    found = {
        j.ocd_id: j
        for j in Jurisdiction.objects.filter(ocd_id__in=list(wanted)).exclude(incorporated=False)
    }
    resolved: dict[str, tuple[Jurisdiction, str]] = {}
    for jid, (usps, place, _name) in divisions.items():
        direct = found.get(_division_for(usps, place))
        if direct is not None:
            resolved[jid] = (direct, Role.MAYOR)
            continue
        kind, slug = place
        if kind == "place" and slug.endswith("_county"):
            county = found.get(_division_for(usps, ("county", slug.removesuffix("_county"))))
            if county is not None:
                resolved[jid] = (county, Role.COUNTY_EXECUTIVE)
    missing = {jid: v for jid, v in divisions.items() if jid not in resolved}
    if missing:
        candidates: dict[tuple[str, str], Jurisdiction] = {}
        qs = (
            Jurisdiction.objects.filter(
                kind=JurisdictionKind.PLACE,
                incorporated=True,
                usps__in={usps for usps, _p, _n in missing.values()},
            )
            .only("pk", "ocd_id", "usps", "short_name", "name", "kind", "population")
            .order_by("population", "geoid")
        )
        for j in qs:  # ascending, so the most populous place of a name wins
            candidates[(j.usps, place_key(j.short_name))] = j
        for jid, (usps, _place, name) in missing.items():
            match = candidates.get((usps, place_key(name)))
            if match is not None:
                resolved[jid] = (match, Role.MAYOR)
    unmatched = sorted(jid for jid in divisions if jid not in resolved)
    return resolved, unmatched


def _is_current(role: ParsedRole, as_of: date) -> bool:
    return (role.end is None or role.end >= as_of) and (role.start is None or role.start <= as_of)


def _sources(data: dict[str, Any]) -> list[dict[str, str]]:
    out = []
    for item in data.get("sources") or []:
        if isinstance(item, dict) and item.get("url"):
            entry = {"url": str(item["url"])}
            if item.get("note"):
                entry["note"] = str(item["note"])
            out.append(entry)
    return out


def _party(data: dict[str, Any], as_of: date) -> str:
    names = []
    for item in data.get("party") or []:
        if not isinstance(item, dict) or not item.get("name"):
            continue
        end = item.get("end_date")
        if end and str(end) < as_of.isoformat():
            continue
        names.append(str(item["name"]))
    return " / ".join(dict.fromkeys(names))[:100]


def _contacts(data: dict[str, Any]) -> Iterator[tuple[str, str, str, str]]:
    """(kind, classification, value, note) from email, offices and links."""
    if data.get("email"):
        yield ContactKind.EMAIL, "", str(data["email"]).strip(), ""
    for office in data.get("offices") or []:
        if not isinstance(office, dict):
            continue
        classification = str(office.get("classification") or "")[:40]
        note = str(office.get("name") or "")[:200]
        for key, kind in (
            ("address", ContactKind.ADDRESS),
            ("voice", ContactKind.PHONE),
            ("fax", ContactKind.FAX),
        ):
            if office.get(key):
                yield kind, classification, str(office[key]).strip(), note
    for link in data.get("links") or []:
        if isinstance(link, dict) and link.get("url"):
            yield ContactKind.WEB, "", str(link["url"]).strip(), str(link.get("note") or "")[:200]


# --- the import ------------------------------------------------------------------------------


Assignment = tuple[ParsedPerson, ParsedRole, OfficeKey]


def _place_jid(role: ParsedRole) -> str:
    assert role.place is not None
    kind, slug = role.place
    return f"ocd-jurisdiction/country:us/state:{role.usps.lower()}/{kind}:{slug}/government"


def _context(snapshot: Snapshot) -> Context:
    states = {j.usps: j for j in Jurisdiction.objects.filter(kind=JurisdictionKind.STATE)}
    if not states:
        raise ImportFailed(
            "no states are loaded (run import_census and import_districts first)",
            file=snapshot.path,
        )
    districts = {
        (usps, chamber, name): (pk, seats)
        for pk, usps, chamber, name, seats in District.objects.values_list(
            "pk", "state__usps", "chamber", "name", "num_seats"
        )
    }
    offices: dict[OfficeKey, int] = {
        (j, r, d, s): pk
        for pk, j, r, d, s in Office.objects.values_list(
            "pk", "jurisdiction_id", "role", "district_id", "seat"
        )
    }
    return Context(states=states, districts=districts, offices=offices)


def _place_title(jurisdiction: Jurisdiction, role: str) -> str:
    if role == Role.COUNTY_EXECUTIVE:
        return f"County Executive, {jurisdiction.name}, {jurisdiction.usps}"
    name = (
        jurisdiction.short_name
        if jurisdiction.kind == JurisdictionKind.PLACE
        else jurisdiction.name
    )
    return f"Mayor of {name}, {jurisdiction.usps}"


def _municipal_offices(
    ctx: Context, people: list[ParsedPerson], municipalities: dict[str, tuple[str, str]]
) -> tuple[
    dict[str, tuple[Jurisdiction, str]], dict[str, tuple[str, tuple[str, str], str]], list[str]
]:
    """Resolve Open States' municipal jurisdictions; every matched place gets a mayor's office.

    A county matched through "place:<x>_county" gets a county executive only when
    someone in the snapshot holds that role: Open States lists counties it does not
    staff, and an office per listing invented executives where none exist.
    """
    divisions: dict[str, tuple[str, tuple[str, str], str]] = {}
    for jid, (usps, name) in municipalities.items():
        match = JURISDICTION_ID.match(jid)
        if match and match.group(2):
            divisions[jid] = (usps, (match.group(2), match.group(3)), name)
    for person in people:
        for role in person.roles:
            if role.place:
                divisions.setdefault(
                    _place_jid(role), (role.usps, role.place, role.place[1].replace("_", " "))
                )
    resolved, unmatched = resolve_places(divisions)
    for jurisdiction, place_role in resolved.values():
        if place_role == Role.MAYOR:
            ctx.office(
                (jurisdiction.pk, place_role, None, 1),
                title=_place_title(jurisdiction, place_role),
                source=MUNICIPAL_SOURCE,
            )
    return resolved, divisions, unmatched


@dataclass
class Assignments:
    """Roles mapped to office keys; multi-member districts wait for seat assignment."""

    assigned: list[Assignment] = field(default_factory=list)
    pending_seats: dict[int, list[tuple[ParsedPerson, ParsedRole]]] = field(
        default_factory=lambda: defaultdict(list)
    )  # district -> current roles
    history_multi: list[tuple[ParsedPerson, ParsedRole, int, int]] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def _assign_legislative(
    ctx: Context,
    out: Assignments,
    person: ParsedPerson,
    role: ParsedRole,
    chamber: str,
    as_of: date,
) -> None:
    state = ctx.states[role.usps]
    district = ctx.districts.get((role.usps, chamber, role.district))
    if district is None:
        out.skipped["legislative role in a district not in districts.csv"] += 1
        if _is_current(role, as_of):
            ctx.notes.append(
                f"no district {role.usps} {chamber} {role.district!r} ({person.member})"
            )
        return
    pk, seats = district
    if seats == 1:
        out.assigned.append((person, role, (state.pk, CHAMBER_ROLE[chamber], pk, 1)))
    elif _is_current(role, as_of):
        out.pending_seats[pk].append((person, role))
    else:
        out.history_multi.append((person, role, pk, seats))


def _assign_roles(
    ctx: Context,
    people: list[ParsedPerson],
    resolved: dict[str, tuple[Jurisdiction, str]],
    as_of: date,
) -> Assignments:
    out = Assignments()
    for person in people:
        for role in person.roles:
            state = ctx.states.get(role.usps)
            if state is None or role.usps.lower() in SKIPPED_STATES:
                out.skipped["role outside the 50 states + DC"] += 1
                continue
            if role.start and role.start > as_of:
                out.skipped["role starting after the snapshot date"] += 1
                continue
            chamber = CHAMBER_BY_TYPE.get(role.kind)
            if chamber is not None:
                _assign_legislative(ctx, out, person, role, chamber, as_of)
                continue
            if role.kind == "mayor" and role.place:
                hit = resolved.get(_place_jid(role))
                if hit is None:
                    out.skipped["mayor of an unmatched place"] += 1
                    continue
                key = ctx.office(
                    (hit[0].pk, hit[1], None, 1),
                    title=_place_title(hit[0], hit[1]),
                    source=MUNICIPAL_SOURCE,
                )
                out.assigned.append((person, role, key))
                continue
            office_role = EXECUTIVE_ROLES.get(role.kind)
            if role.kind == "governor" and role.usps == DC_USPS:
                office_role = Role.MAYOR  # Open States files DC's mayor as its "governor"
            if office_role is None or role.place:
                out.skipped[f"role type {role.kind!r}"] += 1
                continue
            key = ctx.office(
                (state.pk, office_role, None, 1),
                title=statewide_title(role=office_role, state=state),
                source="openstates-people executive",
            )
            out.assigned.append((person, role, key))
    return out


def _assign_seats(ctx: Context, out: Assignments) -> None:
    """Multi-member districts: keep seats people already hold; fill the rest in a stable order."""
    district_info = {
        pk: (usps, chamber, seats) for (usps, chamber, _name), (pk, seats) in ctx.districts.items()
    }
    held_seat = {
        (ocd, district): seat
        for ocd, district, seat in Term.objects.filter(
            end_date__isnull=True, office__district__num_seats__gt=1
        ).values_list("person__ocd_person_id", "office__district_id", "office__seat")
    }
    current_seat: dict[tuple[str, int], int] = {}
    for district_pk, members in sorted(out.pending_seats.items()):
        usps, seat_chamber, seats = district_info[district_pk]
        members.sort(
            key=lambda m: (
                m[1].start or date.min,
                m[0].data.get("family_name") or "",
                m[0].data["id"],
            )
        )
        taken: set[int] = set()
        waiting = []
        for person, role in members:
            seat = held_seat.get((person.data["id"], district_pk))
            if seat and seat <= seats and seat not in taken:
                taken.add(seat)
                current_seat[(person.data["id"], district_pk)] = seat
            else:
                waiting.append((person, role))
        free = [s for s in range(1, seats + 1) if s not in taken]
        for (person, _role), seat in zip(waiting, free, strict=False):
            current_seat[(person.data["id"], district_pk)] = seat
        if len(waiting) > len(free):
            extra = [p.member for p, _ in waiting[len(free) :]]
            ctx.notes.append(
                f"more current members than seats in {usps} {seat_chamber} district #{district_pk}: skipped {', '.join(extra)}"
            )
            out.skipped["current member beyond the district's seats"] += len(extra)
        for person, role in members:
            seat = current_seat.get((person.data["id"], district_pk))
            if seat:
                office_key = (states_pk(ctx, usps), CHAMBER_ROLE[seat_chamber], district_pk, seat)
                out.assigned.append((person, role, office_key))
    for person, role, district_pk, seats in out.history_multi:
        # A past member of a multi-member district: the seat they hold now, or held last, else seat 1.
        usps, seat_chamber, _seats = district_info[district_pk]
        seat = (
            current_seat.get((person.data["id"], district_pk))
            or held_seat.get((person.data["id"], district_pk))
            or 1
        )
        office_key = (
            states_pk(ctx, usps),
            CHAMBER_ROLE[seat_chamber],
            district_pk,
            min(seat, seats),
        )
        out.assigned.append((person, role, office_key))


def states_pk(ctx: Context, usps: str) -> int:
    return ctx.states[usps].pk


def _create_offices(ctx: Context) -> Counts:
    """Offices that the people need and nobody created yet (lt governors, secretaries of state, ...)."""
    counts = Counts()
    if not ctx.new_offices:
        return counts
    created = Office.objects.bulk_create(
        [Office(**row) for row in ctx.new_offices.values()], batch_size=1000
    )
    for obj in created:
        if obj.pk is None:  # pragma: no cover - every supported backend returns pks
            raise ImportFailed("the database did not return primary keys for new offices")
    for key, obj in zip(ctx.new_offices, created, strict=True):
        ctx.offices[key] = obj.pk
    counts.notes.append(f"offices: inserted={len(created)}")
    counts.inserted += len(created)
    return counts


def _folded(what: str, counts: Counts, extra: str = "") -> Counts:
    """The counts of one model, as a total to add, with a note naming the model."""
    total = Counts(inserted=counts.inserted, updated=counts.updated, noop=counts.noop)
    total.notes.append(f"{what}: {counts.summary()}{extra}")
    return total


def _upsert_people(
    people: list[ParsedPerson], as_of: date
) -> tuple[Counts, dict[tuple[Any, ...], int]]:
    person_rows = []
    for person in people:
        d = person.data
        person_rows.append(
            {
                "ocd_person_id": str(d["id"]),
                "name": str(d["name"])[:200],
                "given_name": str(d.get("given_name") or "")[:100],
                "family_name": str(d.get("family_name") or "")[:100],
                "party": _party(d, as_of),
                "sources": _sources(d),
            }
        )
    person_counts, person_pks = bulk_upsert(
        Person,
        progress(person_rows, label="people"),
        key=["ocd_person_id"],
        fields=["name", "given_name", "family_name", "party", "sources"],
    )
    return _folded("people", person_counts), person_pks


TermKey = tuple[int, int, date | None]


def _upsert_terms(
    ctx: Context, assigned: list[Assignment], person_pks: dict[tuple[Any, ...], int], as_of: date
) -> tuple[Counts, set[TermKey]]:
    """One row per (person, office, start); undated duplicates keep the latest."""
    terms: dict[TermKey, dict[str, Any]] = {}
    for person, role, key in assigned:
        person_pk = person_pks[(str(person.data["id"]),)]
        current = _is_current(role, as_of)
        row = {
            "person_id": person_pk,
            "office_id": ctx.offices[key],
            "start_date": role.start,
            "end_date": None if current else role.end,
            "end_reason": "" if current else role.end_reason,
            "scheduled_end_date": role.end if current else None,
            "source": f"{TERM_SOURCE} {person.member}"[:200],
        }
        term_key = (person_pk, ctx.offices[key], role.start)
        previous = terms.get(term_key)
        if previous is None or (
            previous["end_date"] is not None
            and (row["end_date"] is None or row["end_date"] > previous["end_date"])
        ):
            terms[term_key] = row
    # The statewide overlay runs after this import and is newer than any snapshot: the
    # terms it ended stay ended, and the terms it owns keep its dates and source.
    overlay = Term.objects.filter(
        Q(end_reason=OVERLAY_REASON) | Q(source__startswith=OVERLAY_SOURCE)
    ).values_list(
        "person_id",
        "office_id",
        "start_date",
        "end_date",
        "end_reason",
        "scheduled_end_date",
        "source",
    )
    for pk_person, pk_office, start, end, reason, scheduled, source in overlay:
        kept = terms.get((pk_person, pk_office, start))
        if kept is not None:
            kept.update(
                end_date=end, end_reason=reason, scheduled_end_date=scheduled, source=source
            )
    term_counts, _ = bulk_upsert(
        Term,
        progress(list(terms.values()), label="terms"),
        key=["person_id", "office_id", "start_date"],
        fields=["end_date", "end_reason", "scheduled_end_date", "source"],
    )
    return _folded("terms", term_counts), set(terms)


def _end_departed(seen: set[TermKey], covered_states: set[str], as_of: date) -> Counts:
    """Open terms from this importer, in the snapshot's states, that the snapshot no longer has."""
    counts = Counts()
    departed = [
        pk
        for pk, person_id, office_id, start in Term.objects.filter(
            end_date__isnull=True,
            source__startswith=TERM_SOURCE,
            office__jurisdiction__usps__in=covered_states,
        ).values_list("pk", "person_id", "office_id", "start_date")
        if (person_id, office_id, start) not in seen
    ]
    reason = f"Not in the Open States snapshot of {as_of.isoformat()}"
    for start in range(0, len(departed), 900):
        Term.objects.filter(pk__in=departed[start : start + 900]).update(
            end_date=as_of, end_reason=reason
        )
    counts.deleted += len(departed)
    if departed:
        counts.notes.append(f"terms ended (people no longer in the snapshot): {len(departed)}")
    return counts


def _upsert_contacts(
    snapshot: Snapshot, people: list[ParsedPerson], person_pks: dict[tuple[Any, ...], int]
) -> Counts:
    """The people's contacts; those this importer gave them before and the snapshot dropped go."""
    contact_rows: dict[tuple[int, str, str, str], dict[str, Any]] = {}
    for person in people:
        person_pk = person_pks[(str(person.data["id"]),)]
        source = snapshot.source_url(person.member)[:500]
        for kind, classification, value, note in _contacts(person.data):
            if not value:
                continue
            contact_rows.setdefault(
                (person_pk, kind, classification, value[:500]),
                {
                    "person_id": person_pk,
                    "kind": kind,
                    "classification": classification,
                    "value": value[:500],
                    "note": note,
                    "source": source,
                    "verified_on": snapshot.as_of,
                },
            )
    contact_counts, _ = bulk_upsert(
        ContactPoint,
        progress(list(contact_rows.values()), label="contacts"),
        key=["person_id", "kind", "classification", "value"],
        fields=["note", "source", "verified_on"],
        queryset=ContactPoint.objects.filter(person__isnull=False),
        batch_size=5000,
    )
    snapshot_people = {person_pks[(str(p.data["id"]),)] for p in people}
    stale = [
        pk
        for pk, person_id, kind, classification, value, source in ContactPoint.objects.filter(
            person__isnull=False
        ).values_list("pk", "person_id", "kind", "classification", "value", "source")
        if person_id in snapshot_people
        and source.startswith(CONTACT_SOURCE_PREFIXES)
        and (person_id, kind, classification, value) not in contact_rows
    ]
    for start in range(0, len(stale), 900):
        ContactPoint.objects.filter(pk__in=stale[start : start + 900]).delete()
    return _folded("contacts", contact_counts, f" removed={len(stale)}")


def openstates_import(*, snapshot: Snapshot) -> Counts:
    """The import's phases in order; each returns its counts and notes."""
    people, municipalities = read_snapshot(snapshot.path)
    as_of = snapshot.as_of
    ctx = _context(snapshot)
    resolved, divisions, unmatched = _municipal_offices(ctx, people, municipalities)
    assignments = _assign_roles(ctx, people, resolved, as_of)
    _assign_seats(ctx, assignments)

    counts = _create_offices(ctx)
    people_counts, person_pks = _upsert_people(people, as_of)
    counts.add(people_counts)
    term_counts, seen = _upsert_terms(ctx, assignments.assigned, person_pks, as_of)
    counts.add(term_counts)
    counts.add(_end_departed(seen, {p.usps for p in people}, as_of))
    counts.add(_upsert_contacts(snapshot, people, person_pks))

    counts.skipped += sum(assignments.skipped.values())
    for what, n in sorted(assignments.skipped.items()):
        counts.notes.append(f"skipped {n}: {what}")
    counts.notes.extend(ctx.notes)
    matched = sum(1 for jid in resolved if jid in municipalities)
    counts.notes.append(
        f"municipalities: {len(divisions)} Open States jurisdictions, {len(resolved)} matched "
        f"({matched} from municipalities.yml), {len(unmatched)} unmatched"
    )
    for jid in unmatched:
        counts.notes.append(f"UNMATCHED municipality {jid} ({divisions[jid][2]})")
    return counts
