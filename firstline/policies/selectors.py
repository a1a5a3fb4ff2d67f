"""Reads over policy records that views, the scorecard and the API share."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, Literal

from django.db.models import QuerySet

from firstline.geo.models import JurisdictionKind
from firstline.policies.models import PolicyRecord, PolicyRecordVersion, RecordStatus, SupportModel


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
