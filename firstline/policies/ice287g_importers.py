"""ICE's 287(g) lists (participating, pending) and the first-seen history, as records.

One ``agreement_287g`` record per (state, agency, support model); see
``models.py`` for the key. The rules:

* participating list of date D: every row is ``in_force``; an agreement that
  was in force and is not on the list is ``rescinded`` with ``ended_on = D``.
* pending list of date D: every row is ``proposed`` (unless already in force);
  a pending agreement that left the list without being signed is
  ``rescinded`` too ("withdrawn"), with the list date as evidence.
* A list never changes a record whose status came from a *later* list, so
  loading an old file after a new one cannot resurrect anything.
* history file: first/last seen dates; agreements listed once but on neither
  latest list are added as ``rescinded``, ended at the next snapshot that no
  longer held them.

Errors: a file whose header lacks a required column (or an empty file) is
refused whole. A row with a bad value (a date such as ``05/082025``, an
unknown state or support model, a duplicate) is reported and skipped, and its
agreement is neither changed nor ended. Everything else in the file loads in
one transaction.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from firstline.lib.importing import Counts, ImportFailed
from firstline.policies.matching import Gazetteer, Match, normalize
from firstline.policies.models import (
    Confidence,
    InstrumentKind,
    Policy,
    PolicyRecord,
    RecordStatus,
    SupportModel,
)
from firstline.policies.services import SyncRow, policy_record_key, policy_records_sync

POLICY_SLUG = "agreement_287g"
IMPORTER = "ice287g"
ICE_PAGE = "https://www.ice.gov/identify-and-arrest/287g"

BASE_COLUMNS = ["STATE", "LAW ENFORCEMENT AGENCY", "TYPE", "COUNTY", "SUPPORT TYPE"]
REQUIRED_COLUMNS = {
    "participating": [*BASE_COLUMNS, "SIGNED"],
    "pending": BASE_COLUMNS,
    "history": [
        *BASE_COLUMNS, "first_seen_pending", "last_seen_pending", "first_seen_participating",
        "last_seen_participating", "in_latest_participating", "in_latest_pending",
    ],
}  # fmt: skip
REPORT_COLUMNS = [
    "STATE", "LAW ENFORCEMENT AGENCY", "SUPPORT TYPE", "matched_level", "matched_geoid", "matched_ocd_id", "method",
    "score", "matched_name", "line",
]  # fmt: skip

_SUPPORT = {
    "jail enforcement model": SupportModel.JAIL_ENFORCEMENT,
    "jail enforcement": SupportModel.JAIL_ENFORCEMENT,
    "task force model": SupportModel.TASK_FORCE,
    "task force": SupportModel.TASK_FORCE,
    "warrant service officer": SupportModel.WARRANT_SERVICE,
    "warrant service officer program": SupportModel.WARRANT_SERVICE,
    "warrant service": SupportModel.WARRANT_SERVICE,
    "": SupportModel.UNKNOWN,
    "n a": SupportModel.UNKNOWN,
    "na": SupportModel.UNKNOWN,
}
_MODEL_LABEL = {
    SupportModel.JAIL_ENFORCEMENT: "Jail Enforcement Model",
    SupportModel.TASK_FORCE: "Task Force Model",
    SupportModel.WARRANT_SERVICE: "Warrant Service Officer",
    SupportModel.UNKNOWN: "model not given",
}


class RowError(ValueError):
    pass


@dataclass
class Table:
    path: Path
    header: list[str]
    rows: list[tuple[int, dict[str, Any]]]  # (line or sheet row number, values by header)


@dataclass
class Parsed:
    line: int
    usps: str
    agency: str
    type_: str
    county: str
    support: str
    support_raw: str
    key: str
    values: dict[str, Any] = field(default_factory=dict)


# -- reading ---------------------------------------------------------------------


def _header_key(value: Any) -> str:
    return " ".join(str(value or "").replace("\n", " ").split())


def _canonical_header(header: list[str]) -> list[str]:
    known = {c.upper(): c for cols in REQUIRED_COLUMNS.values() for c in cols}
    known.update({c: c for c in ("MOA", "MOA_URL", "ADDENDUM", "ADDENDUM_URL", "SIGNED")})
    return [known.get(h.upper(), h) for h in header]


def _unwrap(url: str) -> str:
    """Outlook 'safelinks' wrap ICE's own links; keep the real target."""
    url = (url or "").strip()
    parsed = urlparse(url)
    if parsed.netloc.endswith("safelinks.protection.outlook.com"):
        target = parse_qs(parsed.query).get("url")
        if target:
            return target[0]
    return url


def read_table(path: Path) -> Table:
    if not path.exists():
        raise ImportFailed("file not found", file=path)
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        return _read_xlsx(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if not header:
                raise ImportFailed("the file is empty", file=path)
            header = _canonical_header([_header_key(h) for h in header])
            rows = []
            for line, values in enumerate(reader, 2):
                if not any(v.strip() for v in values):
                    continue
                rows.append((line, dict(zip(header, [v.strip() for v in values], strict=False))))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ImportFailed(f"cannot read: {exc}", file=path) from exc
    return Table(path, header, rows)


def _read_xlsx(path: Path) -> Table:
    import openpyxl  # only the xlsx path needs it

    try:
        # Not read-only: hyperlinks (the MOA links) are only loaded in full mode.
        book = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a bad file
        raise ImportFailed(f"not a readable xlsx file: {exc}", file=path) from exc
    sheet = book.worksheets[0]
    header: list[str] | None = None
    header_row = 0
    # ICE puts a title and notes above the table: the header is the first row
    # that names both the state and the agency.
    for row in sheet.iter_rows(min_row=1, max_row=min(sheet.max_row, 40)):
        names = [_header_key(c.value).upper() for c in row]
        if "STATE" in names and "LAW ENFORCEMENT AGENCY" in names:
            header = _canonical_header([_header_key(c.value) for c in row])
            header_row = row[0].row
            break
    if header is None:
        if sheet.max_row <= 1 and not any(c.value for c in next(sheet.iter_rows(max_row=1), ())):
            raise ImportFailed("the file is empty", file=path)
        raise ImportFailed(
            "no header row with STATE and LAW ENFORCEMENT AGENCY in the first 40 rows", file=path
        )
    rows = []
    for row in sheet.iter_rows(min_row=header_row + 1):
        values: dict[str, Any] = {}
        for name, cell in zip(header, row, strict=False):
            if not name:
                continue
            value = cell.value
            values[name] = value.strip() if isinstance(value, str) else value
            if name in {"MOA", "ADDENDUM"} and cell.hyperlink is not None and cell.hyperlink.target:
                values[f"{name}_URL"] = _unwrap(cell.hyperlink.target)
        if not any(v not in (None, "") for v in values.values()):
            continue
        rows.append((row[0].row, values))
    return Table(path, [h for h in header if h], rows)


def detect_list(table: Table, requested: str | None) -> str:
    if requested:
        return requested
    if "first_seen_participating" in table.header:
        return "history"
    name = table.path.name.lower()
    if "pending" in name:
        return "pending"
    if "participating" in name or "SIGNED" in table.header:
        return "participating"
    raise ImportFailed(
        "cannot tell which list this is; pass --list participating|pending|history", file=table.path
    )


_FILE_DATE = [
    (re.compile(r"(20\d\d)-(\d\d)-(\d\d)"), lambda m: dt.date(int(m[1]), int(m[2]), int(m[3]))),
    # ICE's own file names: participatingAgencies07182025pm.xlsx
    (
        re.compile(r"(\d\d)(\d\d)(20\d\d)(?:am|pm)?"),
        lambda m: dt.date(int(m[3]), int(m[1]), int(m[2])),
    ),
]


def date_from_filename(path: Path) -> dt.date | None:
    # The history file names a range; its last date is what it is "as of".
    for pattern, build in _FILE_DATE:
        found = list(pattern.finditer(path.name))
        if found:
            try:
                return build(found[-1])
            except ValueError:
                continue
    return None


def parse_date(value: Any, *, latest: dt.date) -> dt.date | None:
    """ICE's dates: real dates from xlsx, ISO or US strings from CSV. Anything else is an error."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    else:
        text = str(value).strip()
        parsed: dt.date | None = None
        for fmt in ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y", "%Y-%m-%d %H:%M:%S"):
            try:
                parsed = dt.datetime.strptime(text, fmt).date()
                break
            except ValueError:
                continue
        if parsed is None:
            raise RowError(f"not a date: {text!r}")
        day = parsed
    if not dt.date(1996, 9, 30) <= day <= latest + dt.timedelta(days=366):
        # 287(g) was enacted on 1996-09-30: earlier or far-future dates are typos.
        raise RowError(f"date out of range: {day.isoformat()}")
    return day


# -- matching and parsing rows ---------------------------------------------------------------


def _text(values: dict[str, Any], name: str) -> str:
    value = values.get(name)
    return "" if value is None else " ".join(str(value).split())


def _parse_row(
    line: int,
    values: dict[str, Any],
    gazetteer: Gazetteer,
    seen: dict[str, int],
    *,
    merge_duplicates: bool = False,
) -> Parsed:
    state = _text(values, "STATE")
    agency = _text(values, "LAW ENFORCEMENT AGENCY")
    if not agency:
        raise RowError("no agency name")
    usps = gazetteer.usps_for(state) if state else None
    if not usps:
        raise RowError(f"unknown state {state!r}")
    support_raw = _text(values, "SUPPORT TYPE")
    support = _SUPPORT.get(normalize(support_raw.replace("#", "")))
    if support is None:
        raise RowError(f"unknown support type {support_raw!r}")
    key = policy_record_key(usps=usps, agency_name=agency, support_model=support)
    if key in seen and not merge_duplicates:
        raise RowError(f"same agency and support type as line {seen[key]}")
    seen.setdefault(key, line)
    county = _text(values, "COUNTY")
    return Parsed(
        line,
        usps,
        agency,
        _text(values, "TYPE"),
        "" if county.startswith("#") else county,
        support,
        support_raw,
        key,
    )


def _attach(parsed: Parsed, match: Match) -> dict[str, Any]:
    entry = match.entry if match.level in {"state", "county", "place"} else None
    return {
        "jurisdiction_id": entry.id if entry else None,
        "level": match.level if entry else "other",
        "usps": parsed.usps,
        "other_name": "" if entry else parsed.agency,
        "agency_name": parsed.agency,
        "agency_type": parsed.type_,
        "agency_county": parsed.county,
        "support_model": parsed.support,
        "match_method": match.method,
        "match_score": round(match.score, 2),
    }


def _report_row(
    parsed_or_values: Parsed | dict[str, Any], match: Match | None, line: int, error: str = ""
) -> dict[str, Any]:
    if isinstance(parsed_or_values, Parsed):
        state, agency, support = (
            parsed_or_values.usps,
            parsed_or_values.agency,
            parsed_or_values.support_raw,
        )
    else:
        state = _text(parsed_or_values, "STATE")
        agency = _text(parsed_or_values, "LAW ENFORCEMENT AGENCY")
        support = _text(parsed_or_values, "SUPPORT TYPE")
    entry = match.entry if match else None
    return {
        "STATE": state,
        "LAW ENFORCEMENT AGENCY": agency,
        "SUPPORT TYPE": support,
        "matched_level": match.level if match else "unmatched",
        "matched_geoid": entry.geoid if entry else "",
        "matched_ocd_id": entry.ocd_id if entry else "",
        "method": (match.method + (f" [{error}]" if error else ""))
        if match
        else f"skipped: {error}",
        "score": f"{match.score:.2f}" if match else "",
        "matched_name": entry.name if entry else "",
        "line": line,
    }


# -- the import ---------------------------------------------------------------------------


@dataclass
class IceImportResult:
    counts: Counts
    report: list[dict[str, Any]]
    list_name: str
    as_of: dt.date


def _snapshot_dates(path: Path) -> dict[str, list[dt.date]]:
    """Scrape dates of the archived sheets, per list, from 287g_snapshots_index.csv beside the history."""
    index = path.with_name("287g_snapshots_index.csv")
    dates: dict[str, list[dt.date]] = {"participating": [], "pending": []}
    if index.exists():
        with index.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if row.get("list") in dates and row.get("scraped_at_utc"):
                    dates[row["list"]].append(dt.date.fromisoformat(row["scraped_at_utc"][:10]))
    return {k: sorted(set(v)) for k, v in dates.items()}


def import_ice287g(
    path: Path,
    *,
    list_name: str | None = None,
    as_of: dt.date | None = None,
    allow_shrink: bool = False,
    gazetteer: Gazetteer | None = None,
) -> IceImportResult:
    table = read_table(path)
    kind = detect_list(table, list_name)
    missing = [c for c in REQUIRED_COLUMNS[kind] if c not in table.header]
    if missing:
        raise ImportFailed(
            f"missing columns {missing} for a {kind} list (header: {table.header})",
            file=path,
            line=1,
        )
    if not table.rows:
        raise ImportFailed("the file has a header but no rows", file=path)
    as_of = as_of or date_from_filename(path)
    if as_of is None:
        raise ImportFailed(
            "cannot tell the list's date from its name; pass --as-of YYYY-MM-DD", file=path
        )
    policy = Policy.objects.filter(slug=POLICY_SLUG).first()
    if policy is None:
        raise ImportFailed(
            f"policy {POLICY_SLUG!r} is not loaded; run import_policy_catalog first", file=path
        )
    gazetteer = gazetteer or Gazetteer.from_db()
    existing = {r.key: r for r in PolicyRecord.objects.filter(policy=policy)}
    counts = Counts()
    report: list[dict[str, Any]] = []
    parsed_rows: list[tuple[Parsed, dict[str, Any], Match]] = []
    present: set[str] = set()  # keys on the list, including rows skipped for a bad value
    seen: dict[str, int] = {}
    by_key: dict[str, dict[str, Any]] = {}
    for line, values in table.rows:
        try:
            parsed = _parse_row(line, values, gazetteer, seen, merge_duplicates=kind == "history")
        except RowError as exc:
            counts.skipped += 1
            counts.notes.append(f"{path.name}: line {line}: {exc}; skipped")
            report.append(_report_row(values, None, line, str(exc)))
            continue
        present.add(parsed.key)
        try:
            match = gazetteer.match(
                usps=parsed.usps, agency=parsed.agency, type_=parsed.type_, county=parsed.county
            )
            row_notes: list[str] = []
            row_values = _row_values(
                kind, parsed, values, match, as_of, existing.get(parsed.key), path, row_notes
            )
        except RowError as exc:
            counts.skipped += 1
            counts.notes.append(f"{path.name}: line {line}: {exc}; skipped")
            report.append(_report_row(values, None, line, str(exc)))
            continue
        report.append(_report_row(parsed, match, line, "; ".join(row_notes)))
        counts.notes.extend(f"{path.name}: line {line}: {note}" for note in row_notes)
        if row_values is None:
            continue
        if parsed.key in by_key:
            # The history lists ICE's spelling variants separately ("Sheriff's" and
            # "Sheriff\u2019s"): one agreement, so its seen-dates are merged.
            earlier = by_key[parsed.key]
            for name in ("first_seen_on", "pending_first_seen_on"):
                earlier[name] = _min(earlier.get(name), row_values.get(name))
            for name in ("last_seen_on", "pending_last_seen_on"):
                earlier[name] = _max(earlier.get(name), row_values.get(name))
            continue
        by_key[parsed.key] = row_values
        parsed_rows.append((parsed, row_values, match))
    why = f"ICE 287(g) {kind} list as of {as_of.isoformat()} ({path.name})"
    sync_rows = [SyncRow(key=p.key, values=v) for p, v, _ in parsed_rows]
    sync_rows += _ended_rows(kind, existing, present, as_of, allow_shrink=allow_shrink, path=path)
    part, _ = policy_records_sync(
        policy=policy, rows=sync_rows, importer=IMPORTER, why=why, records=existing
    )
    counts.add(part)
    ended = sum(
        1
        for r in sync_rows
        if r.values.get("status") == RecordStatus.RESCINDED and r.key not in present
    )
    if ended:
        counts.notes.append(
            f"{ended} agreement(s) no longer on the {kind} list: rescinded as of {as_of}"
        )
    return IceImportResult(counts, report, kind, as_of)


def _row_values(
    kind: str, parsed: Parsed, values: dict[str, Any], match: Match, as_of: dt.date,
    current: PolicyRecord | None, path: Path, notes: list[str],
) -> dict[str, Any] | None:  # fmt: skip
    if kind == "history":
        return _history_values(parsed, values, match, as_of, current, path, notes)
    newer = current is not None and current.as_of is not None and current.as_of > as_of
    out: dict[str, Any] = {}
    if kind == "participating":
        signed = _signed(values, as_of, notes)
        out["first_seen_on"] = _min(current.first_seen_on if current else None, as_of)
        out["last_seen_on"] = _max(current.last_seen_on if current else None, as_of)
        if newer:
            return out  # a later list already decided this agreement's status
        moa = _text(values, "MOA_URL")
        out |= _attach(parsed, match) | {
            "status": RecordStatus.IN_FORCE,
            "instrument_kind": InstrumentKind.AGREEMENT,
            "citation": f"287(g) {_MODEL_LABEL[SupportModel(parsed.support)]} agreement",
            "signed_on": signed,
            "enacted_on": signed,
            "year": signed.year if signed else None,
            "ended_on": None,
            "moa_url": _unwrap(moa),
            "addendum_url": _unwrap(_text(values, "ADDENDUM_URL")),
            "source_url": _unwrap(moa) or ICE_PAGE,
            "confidence": Confidence.VERIFIED,
            "source_file": path.name,
            "as_of": as_of,
        }
        return out
    # pending
    out["pending_first_seen_on"] = _min(current.pending_first_seen_on if current else None, as_of)
    out["pending_last_seen_on"] = _max(current.pending_last_seen_on if current else None, as_of)
    if newer or (current is not None and current.status == RecordStatus.IN_FORCE):
        return out  # signed already: the pending list lags behind
    out |= _attach(parsed, match) | {
        "status": RecordStatus.PROPOSED,
        "instrument_kind": InstrumentKind.AGREEMENT,
        "citation": f"287(g) {_MODEL_LABEL[SupportModel(parsed.support)]} agreement (pending)",
        "ended_on": None,
        "source_url": ICE_PAGE,
        "confidence": Confidence.VERIFIED,
        "source_file": path.name,
        "as_of": as_of,
    }
    return out


def _signed(values: dict[str, Any], as_of: dt.date, notes: list[str]) -> dt.date | None:
    """The SIGNED date, or None with a note: a typo in the date does not void the agreement."""
    try:
        return parse_date(values.get("SIGNED"), latest=as_of)
    except RowError as exc:
        notes.append(f"SIGNED {exc}; loaded without a signed date")
        return None


def _history_values(
    parsed: Parsed, values: dict[str, Any], match: Match, as_of: dt.date, current: PolicyRecord | None, path: Path,
    notes: list[str],
) -> dict[str, Any]:  # fmt: skip
    dates = {
        name: parse_date(values.get(name), latest=as_of)
        for name in (
            "first_seen_pending",
            "last_seen_pending",
            "first_seen_participating",
            "last_seen_participating",
        )
    }
    out: dict[str, Any] = {
        "first_seen_on": _min(
            current.first_seen_on if current else None, dates["first_seen_participating"]
        ),
        "last_seen_on": _max(
            current.last_seen_on if current else None, dates["last_seen_participating"]
        ),
        "pending_first_seen_on": _min(
            current.pending_first_seen_on if current else None, dates["first_seen_pending"]
        ),
        "pending_last_seen_on": _max(
            current.pending_last_seen_on if current else None, dates["last_seen_pending"]
        ),
    }
    if current is not None:
        return out
    # Listed once, not on the latest lists we loaded: add it so its history is kept.
    in_participating = _text(values, "in_latest_participating").lower() == "yes"
    in_pending = _text(values, "in_latest_pending").lower() == "yes"
    signed = _signed(values, as_of, notes)
    snapshots = _snapshot_dates(path)
    if in_participating:
        status, ended = RecordStatus.IN_FORCE, None
    elif in_pending:
        status, ended = RecordStatus.PROPOSED, None
    else:
        status = RecordStatus.RESCINDED
        list_name = "participating" if dates["last_seen_participating"] else "pending"
        last = dates[f"last_seen_{list_name}"]
        later = [d for d in snapshots.get(list_name, []) if last and d > last]
        ended = later[0] if later else last
    out |= _attach(parsed, match) | {
        "status": status,
        "instrument_kind": InstrumentKind.AGREEMENT,
        "citation": f"287(g) {_MODEL_LABEL[SupportModel(parsed.support)]} agreement",
        "signed_on": signed,
        "enacted_on": signed,
        "year": signed.year if signed else None,
        "ended_on": ended,
        "source_url": ICE_PAGE,
        "confidence": Confidence.VERIFIED,
        "source_file": path.name,
        "as_of": ended or as_of,
    }
    return out


def _ended_rows(
    kind: str,
    existing: dict[str, PolicyRecord],
    present: set[str],
    as_of: dt.date,
    *,
    allow_shrink: bool,
    path: Path,
) -> Iterator[SyncRow] | list[SyncRow]:
    if kind == "history":
        return []
    active = RecordStatus.IN_FORCE if kind == "participating" else RecordStatus.PROPOSED
    candidates = [
        r
        for key, r in existing.items()
        if key not in present
        and r.importer == IMPORTER
        and r.status == active
        and (r.as_of is None or r.as_of <= as_of)
    ]
    total = sum(1 for r in existing.values() if r.status == active)
    if candidates and not allow_shrink and len(candidates) > max(25, total // 4):
        raise ImportFailed(
            f"this {kind} list would end {len(candidates)} of {total} agreements; if ICE really shrank the list, "
            "pass --allow-shrink",
            file=path,
        )
    why = (
        f"Not on ICE's participating list of {as_of.isoformat()} ({path.name})"
        if kind == "participating"
        else f"Left ICE's pending list of {as_of.isoformat()} without being signed ({path.name})"
    )
    return [
        SyncRow(
            key=r.key,
            values={
                "status": RecordStatus.RESCINDED,
                "ended_on": as_of,
                "as_of": as_of,
                "source_file": path.name,
            },
            why=why,
        )
        for r in candidates
    ]


def _min(a: dt.date | None, b: dt.date | None) -> dt.date | None:
    return min(d for d in (a, b) if d) if (a or b) else None


def _max(a: dt.date | None, b: dt.date | None) -> dt.date | None:
    return max(d for d in (a, b) if d) if (a or b) else None


def write_report(rows: list[dict[str, Any]], out: Path) -> None:
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=REPORT_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
