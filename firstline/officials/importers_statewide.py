"""The curated overlay of current governors, lieutenant governors and attorneys general.

Open States' bundled snapshot misses the executives elected since 2024 and keeps
stale scheduled ends, so ``statewide_overlay_apply`` reads
``data/officials/statewide_executives.csv`` (format: data/officials/README.md)
after the Open States import. For each row it makes the person the seat's
current holder (a Term with the row's start, scheduled end, source and verified
date) and ends every other open term of that seat at the new holder's start.

It runs after Open States on every load; the Open States import keeps the terms
this overlay ended (see ``OVERLAY_REASON``), so a second load changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from firstline.geo.models import Jurisdiction, JurisdictionKind
from firstline.lib.importing import Counts, ImportFailed
from firstline.officials.importers import DC_USPS, read_csv, statewide_title
from firstline.officials.models import Office, Person, Role, Term
from firstline.officials.openstates_importers import OVERLAY_REASON
from firstline.officials.openstates_importers import OVERLAY_SOURCE as SOURCE

OVERLAY_CSV = Path(settings.DATA_DIR) / "officials" / "statewide_executives.csv"
COLUMNS = (
    "usps",
    "role",
    "name",
    "given_name",
    "family_name",
    "party",
    "start_date",
    "scheduled_end",
    "ocd_person_id",
    "source_url",
    "verified_on",
    "confirmed",
)
ROLES = {
    "governor": Role.GOVERNOR,
    "lt_governor": Role.LT_GOVERNOR,
    "attorney_general": Role.ATTORNEY_GENERAL,
    "mayor": Role.MAYOR,
}


@dataclass(frozen=True)
class OverlayRow:
    line: int
    usps: str
    role: str
    name: str
    given_name: str
    family_name: str
    party: str
    start: dt.date | None
    scheduled_end: dt.date | None
    ocd_person_id: str
    source_url: str
    verified_on: dt.date | None
    confirmed: bool
    note: str


def _date(value: str, *, path: Path, line: int, column: str) -> dt.date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value if len(value) > 7 else f"{value}-01")
    except ValueError:
        raise ImportFailed(f"not a date: {value!r}", file=path, line=line, field=column) from None


def overlay_read(path: Path) -> list[OverlayRow]:
    rows: list[OverlayRow] = []
    seen: dict[tuple[str, str], int] = {}
    for line, raw in read_csv(path, COLUMNS):
        cell = {k: (v or "").strip() for k, v in raw.items() if k}
        role = cell["role"].lower()
        if role not in ROLES:
            raise ImportFailed(f"not one of {sorted(ROLES)}", file=path, line=line, field="role")
        if role == "mayor" and cell["usps"].upper() != DC_USPS:
            raise ImportFailed("only DC has a mayor row", file=path, line=line, field="role")
        for column in ("usps", "name", "source_url"):
            if not cell[column]:
                raise ImportFailed("is required", file=path, line=line, field=column)
        key = (cell["usps"].upper(), role)
        if key in seen:
            raise ImportFailed(
                f"same office as line {seen[key]}", file=path, line=line, field="role"
            )
        seen[key] = line
        rows.append(
            OverlayRow(
                line=line,
                usps=key[0],
                role=ROLES[role],
                name=cell["name"],
                given_name=cell["given_name"],
                family_name=cell["family_name"],
                party=cell["party"],
                start=_date(cell["start_date"], path=path, line=line, column="start_date"),
                scheduled_end=_date(
                    cell["scheduled_end"], path=path, line=line, column="scheduled_end"
                ),
                ocd_person_id=cell["ocd_person_id"],
                source_url=cell["source_url"],
                verified_on=_date(cell["verified_on"], path=path, line=line, column="verified_on"),
                confirmed=cell["confirmed"].lower() in ("yes", "y", "true", "1"),
                note=cell.get("note", ""),
            )
        )
    return rows


def _person(row: OverlayRow, counts: Counts) -> Person:
    """The Open States person when the row names one, else one keyed by state, role and name."""
    if row.ocd_person_id:
        person = Person.objects.filter(ocd_person_id=row.ocd_person_id).first()
        if person is not None:
            return person
    local = hashlib.sha256(f"{row.usps}|{row.role}|{row.name.casefold()}".encode()).hexdigest()[:24]
    ocd_person_id = row.ocd_person_id or f"overlay:{local}"
    values = {
        "name": row.name,
        "given_name": row.given_name,
        "family_name": row.family_name or row.name.split()[-1],
        "party": row.party,
        "sources": [{"url": row.source_url}],
    }
    person, created = Person.objects.get_or_create(ocd_person_id=ocd_person_id, defaults=values)
    if created:
        counts.inserted += 1
    elif any(getattr(person, k) != v for k, v in values.items()):
        Person.objects.filter(pk=person.pk).update(**values)
        counts.updated += 1
    return person


def _office(row: OverlayRow, state: Jurisdiction, counts: Counts) -> Office:
    office, created = Office.objects.get_or_create(
        jurisdiction=state,
        role=row.role,
        district=None,
        seat=1,
        defaults={"title": statewide_title(role=row.role, state=state), "source": SOURCE},
    )
    counts.inserted += created
    return office


def _holder(row: OverlayRow, office: Office, person: Person) -> tuple[Term, bool]:
    wanted = {
        "end_date": None,
        "end_reason": "",
        "scheduled_end_date": row.scheduled_end,
        "source": f"{SOURCE} {row.source_url}"[:500],
        "verified_on": row.verified_on,
    }
    term = Term.objects.filter(person=person, office=office, start_date=row.start).first()
    if term is None:
        return Term.objects.create(
            person=person, office=office, start_date=row.start, **wanted
        ), True
    if all(getattr(term, k) == v for k, v in wanted.items()):
        return term, False
    for k, v in wanted.items():
        setattr(term, k, v)
    term.save()
    return term, True


def statewide_overlay_apply(*, path: Path = OVERLAY_CSV) -> Counts:
    counts = Counts()
    if not path.exists():
        counts.notes.append(f"no overlay file at {path}: nothing to apply")
        return counts
    rows = overlay_read(path)
    states = {j.usps: j for j in Jurisdiction.objects.filter(kind=JurisdictionKind.STATE)}
    unconfirmed = []
    for row in rows:
        state = states.get(row.usps)
        if state is None:
            raise ImportFailed(
                f"unknown state {row.usps!r}", file=path, line=row.line, field="usps"
            )
        office = _office(row, state, counts)
        person = _person(row, counts)
        term, changed = _holder(row, office, person)
        # Whoever else holds the seat left it when this holder's term began.
        ended = (
            Term.objects.filter(office=office, end_date__isnull=True)
            .exclude(pk=term.pk)
            .update(
                end_date=row.start or row.verified_on or dt.date.today(), end_reason=OVERLAY_REASON
            )
        )
        counts.deleted += ended
        if changed or ended:
            counts.updated += 1
        else:
            counts.noop += 1
        if not row.confirmed:
            unconfirmed.append(f"{row.usps} {row.role} {row.name}")
    counts.notes.append(f"{len(rows)} rows; not confirmed by the research: {len(unconfirmed)}")
    counts.notes.extend(f"  unconfirmed: {u}" for u in unconfirmed)
    return counts
