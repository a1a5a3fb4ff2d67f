"""Coalition rosters from CSV.

``officials_csv_import`` reads the template in ``data/officials/template.csv``
(documented in docs/delivery.md): one row per seat, with its current holder
(blank name = vacant) and contact points. It follows the importer rules:
upsert by natural key, counts, one transaction, and an ImportFailed naming the
file, the row (its line in the file) and the column for any bad cell -- which
leaves the database as it was.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

from firstline.geo.models import District, Jurisdiction, JurisdictionKind
from firstline.lib.importing import Counts, ImportFailed
from firstline.officials.models import ContactKind, ContactPoint, Office, Person, Role, Term

COLUMNS = (
    "jurisdiction",
    "role",
    "district",
    "name",
    "email",
    "phone",
    "address",
    "source",
    "verified_on",
)
REQUIRED = ("jurisdiction", "role", "source")
SOURCE = "import_officials_csv"
CLASSIFICATION = "roster"


@dataclass(frozen=True)
class RosterRow:
    line: int
    jurisdiction: Jurisdiction
    role: str
    district: District | None
    seat: int
    name: str
    email: str
    phone: str
    address: str
    source: str
    verified_on: dt.date | None


class _Resolver:
    """Jurisdiction by ocd id, Census GEOID, or "Name, ST" (name or short name)."""

    def __init__(self) -> None:
        self.cache: dict[str, Jurisdiction | None] = {}

    def __call__(self, value: str) -> Jurisdiction | None:
        if value not in self.cache:
            self.cache[value] = self._find(value)
        return self.cache[value]

    def _find(self, value: str) -> Jurisdiction | None:
        if value.startswith("ocd-division/"):
            return Jurisdiction.objects.filter(ocd_id=value).first()
        if value.isdigit():
            kind = {
                2: JurisdictionKind.STATE,
                5: JurisdictionKind.COUNTY,
                7: JurisdictionKind.PLACE,
            }.get(len(value))
            return Jurisdiction.objects.filter(kind=kind, geoid=value).first() if kind else None
        name, _, usps = value.rpartition(",")
        if not name or len(usps.strip()) != 2:
            return None
        matches = list(
            Jurisdiction.objects.filter(usps=usps.strip().upper(), incorporated=True)
            .filter(Q(name__iexact=name.strip()) | Q(short_name__iexact=name.strip()))
            .exclude(kind=JurisdictionKind.STATE)[:2]
        )
        return matches[0] if len(matches) == 1 else None


_ROLE_BY_LABEL = {str(label).casefold(): value for value, label in Role.choices}


def _role(value: str) -> str | None:
    v = value.strip()
    if v in Role.values:
        return v
    return _ROLE_BY_LABEL.get(v.casefold()) or (
        v.casefold().replace(" ", "_") if v.casefold().replace(" ", "_") in Role.values else None
    )


def office_title(
    *, role: str, jurisdiction: Jurisdiction, district: District | None, seat: int
) -> str:
    # Titles are data, stored once: always English, whatever language is active.
    with translation.override("en"):
        label = str(Role(role).label)
    if district is not None:
        return f"{label}, {jurisdiction.name} {district.name}"
    if role == Role.SHERIFF:
        return f"Sheriff, {jurisdiction.name}"
    return f"{label}, {jurisdiction.name}" + (f" (seat {seat})" if seat > 1 else "")


def _parse_row(
    cell: dict[str, str],
    *,
    line: int,
    file: str,
    resolve: _Resolver,
    seen: dict[tuple[int, str, int | None, int], int],
) -> RosterRow:
    for column in REQUIRED:
        if not cell[column]:
            raise ImportFailed("is required", file=file, line=line, field=column)
    jurisdiction = resolve(cell["jurisdiction"])
    if jurisdiction is None:
        raise ImportFailed(
            f"unknown jurisdiction {cell['jurisdiction']!r} (use an ocd-division id, a Census GEOID or 'Name, ST')",
            file=file,
            line=line,
            field="jurisdiction",
        )
    role = _role(cell["role"])
    if role is None:
        raise ImportFailed(
            f"unknown role {cell['role']!r}; one of: {', '.join(Role.values)}",
            file=file,
            line=line,
            field="role",
        )
    district: District | None = None
    seat = 1
    if cell["district"].startswith("ocd-division/"):
        district = District.objects.filter(ocd_id=cell["district"]).first()
        if district is None:
            raise ImportFailed(
                f"unknown district {cell['district']!r}", file=file, line=line, field="district"
            )
    elif cell["district"]:
        match = re.fullmatch(
            r"(?:district|seat|ward|precinct)?\s*#?\s*(\d{1,4})", cell["district"], re.I
        )
        if not match or int(match.group(1)) < 1:
            raise ImportFailed(
                f"district must be a seat number (e.g. 3) or a state legislative ocd-division id, not {cell['district']!r}",
                file=file,
                line=line,
                field="district",
            )
        seat = int(match.group(1))
    if cell["email"]:
        try:
            validate_email(cell["email"])
        except ValidationError:
            raise ImportFailed(
                f"not an email address: {cell['email']!r}", file=file, line=line, field="email"
            ) from None
    verified_on = None
    if cell["verified_on"]:
        try:
            verified_on = dt.date.fromisoformat(cell["verified_on"])
        except ValueError:
            raise ImportFailed(
                f"not a date (YYYY-MM-DD): {cell['verified_on']!r}",
                file=file,
                line=line,
                field="verified_on",
            ) from None
    key = (jurisdiction.pk, role, district.pk if district else None, seat)
    if key in seen:
        raise ImportFailed(f"same seat as line {seen[key]}", file=file, line=line, field="district")
    seen[key] = line
    return RosterRow(
        line=line,
        jurisdiction=jurisdiction,
        role=role,
        district=district,
        seat=seat,
        name=" ".join(cell["name"].split()),
        email=cell["email"].lower(),
        phone=cell["phone"],
        address=cell["address"],
        source=cell["source"],
        verified_on=verified_on,
    )


def _read_rows(
    stream: IO[str], *, file: str, errors: list[ImportFailed] | None = None
) -> list[RosterRow]:
    """The file's rows; the first bad cell raises, unless ``errors`` collects them all."""
    reader = csv.DictReader(stream)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ImportFailed(f"missing columns: {', '.join(missing)}", file=file, line=1)
    reader.fieldnames = header
    resolve = _Resolver()
    rows: list[RosterRow] = []
    seen: dict[tuple[int, str, int | None, int], int] = {}
    for line, raw in enumerate(reader, start=2):
        cell = {c: (raw.get(c) or "").strip() for c in COLUMNS}
        if not any(cell.values()):
            continue
        try:
            rows.append(_parse_row(cell, line=line, file=file, resolve=resolve, seen=seen))
        except ImportFailed as exc:
            if errors is None:
                raise
            errors.append(exc)
    return rows


def _person_id(row: RosterRow) -> str:
    basis = f"{row.jurisdiction.ocd_id}|{row.role}|{row.district.ocd_id if row.district else ''}|{row.seat}|{row.name.casefold()}"
    return "csv:" + hashlib.sha256(basis.encode()).hexdigest()[:24]


def _office(row: RosterRow, counts: Counts) -> Office:
    office = Office.objects.filter(
        jurisdiction=row.jurisdiction, role=row.role, district=row.district, seat=row.seat
    ).first()
    if office is None:
        counts.inserted += 1
        return Office.objects.create(
            jurisdiction=row.jurisdiction,
            role=row.role,
            district=row.district,
            seat=row.seat,
            title=office_title(
                role=row.role, jurisdiction=row.jurisdiction, district=row.district, seat=row.seat
            ),
            source=SOURCE,
        )
    return office


def _contacts(row: RosterRow, *, person: Person | None, office: Office, counts: Counts) -> bool:
    """Upsert this row's contact points for their owner; drop roster contacts it no longer lists."""
    owner = {"person": person} if person is not None else {"office": office}
    wanted = {
        kind: value
        for kind, value in (
            (ContactKind.EMAIL, row.email),
            (ContactKind.PHONE, row.phone),
            (ContactKind.ADDRESS, row.address),
        )
        if value
    }
    changed = False
    existing = {
        (c.kind, c.value): c
        for c in ContactPoint.objects.filter(classification=CLASSIFICATION, **owner)
    }
    for kind, value in wanted.items():
        current = existing.pop((kind, value), None)
        if current is None:
            ContactPoint.objects.create(
                kind=kind,
                value=value,
                classification=CLASSIFICATION,
                source=row.source,
                verified_on=row.verified_on,
                **owner,
            )
            changed = True
        elif (current.source, current.verified_on) != (row.source, row.verified_on):
            current.source, current.verified_on = row.source, row.verified_on
            current.save(update_fields=["source", "verified_on"])
            changed = True
    for stale in existing.values():
        stale.delete()
        counts.deleted += 1
        changed = True
    return changed


def officials_csv_import(
    *, path: Path | None = None, stream: IO[str] | None = None, file: str = ""
) -> Counts:
    """Upsert a roster. A row counts as inserted when its seat or holder is new,
    updated when a contact or the holder changed, noop otherwise."""
    file = file or (str(path) if path else "<stream>")
    if stream is None:
        if path is None:
            raise ImportFailed("no file given")
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise ImportFailed(f"cannot read: {exc}", file=file) from exc
        stream = io.StringIO(text)
    rows = _read_rows(stream, file=file)
    return _write_rows(rows, file=file)


def _write_rows(rows: list[RosterRow], *, file: str) -> Counts:
    counts = Counts()
    today = timezone.localdate()
    for row in rows:
        before = counts.inserted
        office = _office(row, counts)
        changed = False
        person: Person | None = None
        if row.name:
            person, created = Person.objects.get_or_create(
                ocd_person_id=_person_id(row), defaults={"name": row.name, "sources": [row.source]}
            )
            changed |= created
            if not Term.objects.filter(
                person=person, office=office, end_date__isnull=True
            ).exists():
                Term.objects.create(
                    person=person, office=office, source=f"{SOURCE} {Path(file).name}"
                )
                changed = True
        # A new holder (or a vacancy) ends the terms earlier rosters gave this seat.
        ended = (
            Term.objects.filter(office=office, end_date__isnull=True, source__startswith=SOURCE)
            .exclude(person=person)
            .update(end_date=today, end_reason="replaced in roster")
        )
        changed |= bool(ended)
        changed |= _contacts(row, person=person, office=office, counts=counts)
        if counts.inserted > before:
            continue
        if changed:
            counts.updated += 1
        else:
            counts.noop += 1
    return counts


# --- the browser upload: other formats, a dry-run preview, then a confirm -------------------

OPENSTATES_COLUMNS = {
    # Open States' people CSV export, municipal folders: our column -> theirs (first found).
    "jurisdiction": ("jurisdiction", "current_jurisdiction"),
    "role": ("role", "current_role", "title"),
    "district": ("current_district", "district"),
    "name": ("name",),
    "email": ("email",),
    "phone": ("capitol_voice", "district_voice", "voice"),
    "address": ("capitol_address", "district_address", "address"),
    "source": ("sources", "source"),
    "verified_on": (),
}


@dataclass
class UploadResult:
    counts: Counts
    errors: list[ImportFailed]
    applied: bool


def _division(value: str) -> str:
    """Open States names governments ``ocd-jurisdiction/…/government``; we key on the division."""
    if value.startswith("ocd-jurisdiction/"):
        return "ocd-division/" + value.removeprefix("ocd-jurisdiction/").removesuffix("/government")
    return value


def roster_to_template(text: str, *, fmt: str, mapping: dict[str, str] | None = None) -> str:
    """Rewrite an Open States or column-mapped CSV into the template's columns."""
    if fmt == "template":
        return text
    reader = csv.DictReader(io.StringIO(text))
    header = {h.strip().lower(): h for h in reader.fieldnames or []}
    if fmt == "openstates":
        chosen = {
            ours: next((header[t] for t in theirs if t in header), "")
            for ours, theirs in OPENSTATES_COLUMNS.items()
        }
    else:
        chosen = {ours: header.get((mapping or {}).get(ours, "").lower(), "") for ours in COLUMNS}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for raw in reader:
        row = {
            ours: (raw.get(theirs) or "").strip() if theirs else ""
            for ours, theirs in chosen.items()
        }
        row["jurisdiction"] = _division(row["jurisdiction"])
        row["source"] = row["source"].split(";")[0].strip()
        writer.writerow([row[c] for c in COLUMNS])
    return out.getvalue()


class _Preview(Exception):
    """Raised inside the transaction to undo a preview."""


def roster_upload(
    *, text: str, fmt: str, mapping: dict[str, str] | None = None, confirm: bool, file: str
) -> UploadResult:
    """Run the roster importer over an upload. Without ``confirm``, or with any bad row,
    nothing is kept: the counts are what a confirm would do."""
    errors: list[ImportFailed] = []
    try:
        rows = _read_rows(
            io.StringIO(roster_to_template(text, fmt=fmt, mapping=mapping)),
            file=file,
            errors=errors,
        )
    except ImportFailed as exc:
        return UploadResult(counts=Counts(), errors=[exc], applied=False)
    counts = Counts()
    try:
        with transaction.atomic():
            counts = _write_rows(rows, file=file)
            if errors or not confirm:
                raise _Preview
    except _Preview:
        return UploadResult(counts=counts, errors=errors, applied=False)
    return UploadResult(counts=counts, errors=errors, applied=True)
