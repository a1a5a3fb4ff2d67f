"""Read-side queries for geography, shared by views, the API and commands."""

from __future__ import annotations

import re

from django.db.models import Count, Q, QuerySet

from firstline.geo.models import Jurisdiction, JurisdictionKind, Zcta

ZIP_RE = re.compile(r"^\s*(\d{5})(?:-\d{4})?\s*$")


def national_counts() -> dict[str, int]:
    rows = Jurisdiction.objects.filter(incorporated=True).values("kind").annotate(n=Count("id"))
    counts = {row["kind"]: row["n"] for row in rows}
    counts["zctas"] = Zcta.objects.count()
    return counts


def parse_zip(text: str) -> str | None:
    match = ZIP_RE.match(text or "")
    return match.group(1) if match else None


def jurisdiction_search(*, query: str, limit: int = 25) -> QuerySet[Jurisdiction]:
    """Name search: exact short names first, then prefixes; incorporated places only."""
    query = (query or "").strip()[:100]
    if not query:
        return Jurisdiction.objects.none()
    state_hint = None
    if "," in query:  # "Houston, TX"
        query, _, hint = query.rpartition(",")
        state_hint = hint.strip().upper()[:2] or None
        query = query.strip()
    qs = Jurisdiction.objects.filter(incorporated=True).filter(
        Q(short_name__istartswith=query) | Q(name__istartswith=query)
    )
    if state_hint:
        qs = qs.filter(usps=state_hint)
    # States first, then the most populous: what a person typing a name most likely means.
    return qs.select_related("state").order_by("kind", "-population")[:limit]


def jurisdiction_children(*, jurisdiction: Jurisdiction) -> QuerySet[Jurisdiction]:
    if jurisdiction.kind == JurisdictionKind.STATE:
        return Jurisdiction.objects.filter(
            state=jurisdiction, kind=JurisdictionKind.COUNTY
        ).order_by("name")
    if jurisdiction.kind == JurisdictionKind.COUNTY:
        return jurisdiction.places.filter(incorporated=True).order_by("-population")
    return Jurisdiction.objects.none()
