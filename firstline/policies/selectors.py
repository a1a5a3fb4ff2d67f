"""Reads over policy records that views, the scorecard and the API share."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, Literal

from django.db.models import QuerySet

from firstline.geo.models import Jurisdiction, JurisdictionKind
from firstline.geo.names import jurisdiction_display_name
from firstline.policies.legal_status import EventRow
from firstline.policies.models import (
    Instrument,
    LegalEvent,
    PolicyRecord,
    PolicyRecordVersion,
    RecordStatus,
    SupportModel,
)


def legal_event_rows(*, instrument_ids: Iterable[int] | None = None) -> dict[int, list[EventRow]]:
    """Every legal event as plain rows for :func:`legal_status.provision_status`, by instrument."""
    qs = LegalEvent.objects.all()
    if instrument_ids is not None:
        qs = qs.filter(instrument_id__in=list(instrument_ids))
    out: dict[int, list[EventRow]] = defaultdict(list)
    for pk, iid, kind, date, policies in qs.values_list(
        "pk", "instrument_id", "kind", "date", "policies"
    ):
        out[iid].append(EventRow(kind, date, tuple(policies or ()), pk))
    return out


def policy_records_for_jurisdiction(*, jurisdiction_id: int) -> QuerySet[PolicyRecord]:
    return (
        PolicyRecord.objects.filter(jurisdiction_id=jurisdiction_id)
        .select_related("policy")
        .order_by("policy__sort_order", "-effective_on", "key")
    )


def policy_record_history(*, record_id: int) -> QuerySet[PolicyRecordVersion]:
    """Versions newest first, with who made them."""
    return (
        PolicyRecordVersion.objects.filter(record_id=record_id)
        .select_related("by")
        .order_by("-number")
    )


def trend_287g(*, by: Literal["model", "state"] = "model") -> dict[str, Any]:
    """287(g) agreements in force on each date an agreement began or ended.

    An agreement counts from its SIGNED date (or, without one, the first list
    that held it) until the list that no longer held it (``ended_on``). Only
    agreements that were ever on the participating list count; pending ones
    never signed do not. Returns ``{"dates": [iso...], "series": [{"label",
    "key", "values": [n per date]}], "total": [n per date]}`` with series
    ordered by their latest value, largest first; plus ``by_model`` (or
    ``by_state``) ``{group: [(date, n), ...]}`` and ``as_of``, the latest list date.
    """
    rows = PolicyRecord.objects.filter(policy__slug="agreement_287g").values_list(
        "signed_on", "first_seen_on", "ended_on", "status", "support_model", "usps"
    )
    events: dict[str, dict[dt.date, int]] = defaultdict(lambda: defaultdict(int))
    dates: set[dt.date] = set()
    labels = dict(SupportModel.choices)
    for signed, first_seen, ended, status, model, usps in rows:
        start = signed or first_seen
        if start is None or status == RecordStatus.PROPOSED:
            continue
        if ended is not None and ended <= start:
            continue
        group = model if by == "model" else usps
        events[group][start] += 1
        dates.add(start)
        if ended is not None:
            events[group][ended] -= 1
            dates.add(ended)
    ordered = sorted(dates)
    series: list[dict[str, Any]] = []
    total = [0] * len(ordered)
    for group, deltas in events.items():
        running, values = 0, []
        for i, day in enumerate(ordered):
            running += deltas.get(day, 0)
            values.append(running)
            total[i] += running
        label = str(labels.get(group, group)) if by == "model" else group
        series.append({"key": group, "label": label, "values": values})
    series.sort(key=lambda s: (-(s["values"][-1] if s["values"] else 0), s["key"]))
    as_of = (
        PolicyRecord.objects.filter(policy__slug="agreement_287g", status=RecordStatus.IN_FORCE)
        .order_by("-as_of")
        .values_list("as_of", flat=True)
        .first()
    )
    return {
        "dates": [d.isoformat() for d in ordered],
        "series": series,
        "total": total,
        # The same series as {group: [(date, n), ...]} for the tracker's chart.
        f"by_{by}": {s["key"]: list(zip(ordered, s["values"], strict=True)) for s in series},
        "as_of": as_of,
    }


def sheriff_counties_287g() -> set[int]:
    """Counties with a sheriff's office in the 287(g) records (participating or pending)."""
    return set(
        PolicyRecord.objects.filter(
            policy__slug="agreement_287g",
            jurisdiction__kind=JurisdictionKind.COUNTY,
            agency_name__icontains="sheriff",
        ).values_list("jurisdiction_id", flat=True)
    )


def scorecard_detail_json(*, jurisdiction_id: int, on: dt.date | None = None) -> dict[str, Any]:
    """A jurisdiction's scorecard for the API: every line with the provision that enacts it,
    its instrument and the legal events that concern it, plus research coverage.

    Three queries beyond the scorecard's: instruments, events, research checks.
    """
    from firstline.policies.scorecard import scorecards_compute

    card = scorecards_compute(jurisdiction_ids=[jurisdiction_id], on=on)[jurisdiction_id]
    data = card.as_json()
    data["as_of"] = on.isoformat() if on else None
    rows = [
        (ln.record, out.get("record"), ln.policy.slug)
        for ln, out in zip(card.lines, data["policies"], strict=True)
    ]
    rows += [
        (ln.reason, out["reason"]["record"], ln.reason_policy)
        for ln, out in zip(card.lines, data["policies"], strict=True)
        if ln.reason and "reason" in out
    ]
    ids = {row.instrument_id for row, _out, _slug in rows if row and row.instrument_id}
    instruments = {i.pk: i for i in Instrument.objects.filter(pk__in=ids)}
    events: dict[int, list[LegalEvent]] = defaultdict(list)
    for event in LegalEvent.objects.filter(instrument_id__in=ids).order_by("date", "id"):
        events[event.instrument_id].append(event)
    for row, out, slug in rows:
        instrument = instruments.get(row.instrument_id or 0) if row else None
        if out is not None and instrument is not None:
            out["instrument"] = _instrument_json(instrument)
            out["events"] = [legal_event_json(e) for e in events[instrument.pk] if e.affects(slug)]
        elif out is not None and row is not None and row.agency_fact:
            out["instrument"] = _agreement_json(row)
            out["events"] = []
    return data


def _agreement_json(row: Any) -> dict[str, Any]:
    """A 287(g) agreement is its own instrument (the MOA ICE lists); shown in the same shape."""
    return {
        "id": None,
        "kind": "agreement",
        "title": f"{row.agency_name} 287(g) agreement",
        "citation": row.support_model,
        "url": row.moa_url or row.source_url,
        "source_type": "agency",
        "status": "enacted" if row.status != RecordStatus.PROPOSED else "proposed",
        "confidence": row.confidence,
        "as_of": row.as_of.isoformat() if row.as_of else None,
    }


def _instrument_json(instrument: Instrument) -> dict[str, Any]:
    return {
        "id": instrument.slug,
        "kind": instrument.kind,
        "title": instrument.title,
        "citation": instrument.citation,
        "url": instrument.url,
        "source_type": instrument.source_type,
        "status": instrument.status,
        "confidence": instrument.confidence,
        "as_of": instrument.as_of.isoformat() if instrument.as_of else None,
    }


def legal_event_json(e: LegalEvent) -> dict[str, Any]:
    return {
        "kind": e.kind,
        "date": e.date.isoformat(),
        "body": e.body,
        "reference": e.reference,
        "url": e.url,
        "source_type": e.source_type,
        "provisions": list(e.policies or []),
    }


# --- The grade table: the map's text and keyboard alternative (issue 17 item 5) -----------

GRADE_TABLE_SORTS = ("name", "grade", "score")


@dataclass(frozen=True)
class GradeRow:
    jurisdiction_id: int
    ocd_id: str
    name: str
    usps: str
    grade: str  # "" when no scorecard exists yet
    score: int | None
    incomplete: bool
    county_grades: dict[str, int]  # a state's counties by grade; empty for a county


def _sorted_rows(rows: list[GradeRow], *, sort: str, descending: bool) -> list[GradeRow]:
    keys: dict[str, Callable[[GradeRow], Any]] = {
        "name": lambda r: (r.name.casefold(), r.usps),
        # Best first ascending, as a reader expects "A to F"; rows without a grade go last.
        "grade": lambda r: (r.grade == "", r.grade, -(r.score or 0), r.name.casefold()),
        "score": lambda r: (r.score is None, r.score or 0, r.name.casefold()),
    }
    out = sorted(rows, key=keys.get(sort, keys["name"]))
    return out[::-1] if descending else out


def grade_table(
    *, state_usps: str | None = None, sort: str = "name", descending: bool = False
) -> list[GradeRow]:
    """States with counts of their counties by grade, or one state's counties with grades."""
    from firstline.policies import scorecard

    kinds = [JurisdictionKind.STATE, JurisdictionKind.COUNTY]
    qs = Jurisdiction.objects.filter(kind__in=kinds)
    if state_usps:
        qs = qs.filter(usps=state_usps.upper())
    fields = ("id", "ocd_id", "kind", "state_id", "county_id", "name", "usps")
    values = list(qs.values_list(*fields, "short_name", "lsad"))
    units = [scorecard.Unit(*row[: len(fields)]) for row in values]
    short_and_lsad = {row[0]: row[len(fields) :] for row in values}
    summaries = scorecard.scorecard_summaries(jurisdictions=units)
    by_state: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for unit in units:
        summary = summaries.get(unit.id)
        if unit.kind == JurisdictionKind.COUNTY and unit.state_id and summary:
            by_state[unit.state_id][summary.grade] += 1
    wanted = JurisdictionKind.COUNTY if state_usps else JurisdictionKind.STATE
    rows = []
    for unit in units:
        if unit.kind != wanted:
            continue
        summary = summaries.get(unit.id)
        rows.append(
            GradeRow(
                jurisdiction_id=unit.id,
                ocd_id=unit.ocd_id,
                # The name a reader says, in the page's language ("Nueva York",
                # "condado de Harris").
                name=jurisdiction_display_name(
                    SimpleNamespace(
                        kind=unit.kind,
                        name=unit.name,
                        short_name=short_and_lsad[unit.id][0],
                        lsad=short_and_lsad[unit.id][1],
                    )
                ),
                usps=unit.usps,
                grade=summary.grade if summary else "",
                score=summary.score if summary else None,
                incomplete=bool(summary and summary.incomplete),
                county_grades=dict(sorted(by_state[unit.id].items())),
            )
        )
    return _sorted_rows(rows, sort=sort, descending=descending)
