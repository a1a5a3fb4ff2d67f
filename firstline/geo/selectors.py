"""Read-side queries for geography, shared by views, the API and commands."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db.models import Case, Count, F, Q, QuerySet, Value, When

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
    # States first, then the most populous of any kind: what a person typing a
    # name most likely means ("Houston" is the city, not Houston County).
    state_first = Case(When(kind=JurisdictionKind.STATE, then=Value(0)), default=Value(1))
    return qs.select_related("state").order_by(
        state_first, F("population").desc(nulls_last=True), "name"
    )[:limit]


def jurisdiction_by_name(*, text: str) -> Jurisdiction | None:
    """The jurisdiction a person means by "Harris County, TX", "Houston, TX" or "Texas":
    the first search result whose name matches exactly."""
    name = (text.rpartition(",")[0].strip() or text.strip()).casefold()
    return next(
        (
            j
            for j in jurisdiction_search(query=text, limit=10)
            if name in (j.name.casefold(), j.short_name.casefold())
        ),
        None,
    )


def jurisdiction_children(*, jurisdiction: Jurisdiction) -> QuerySet[Jurisdiction]:
    if jurisdiction.kind == JurisdictionKind.STATE:
        return Jurisdiction.objects.filter(
            state=jurisdiction, kind=JurisdictionKind.COUNTY
        ).order_by("name")
    if jurisdiction.kind == JurisdictionKind.COUNTY:
        return jurisdiction.places.filter(incorporated=True).order_by("-population")
    return Jurisdiction.objects.none()


def place_counties(*, jurisdiction: Jurisdiction) -> list[Jurisdiction]:
    """Every county a place lies in, the county holding most of it first."""
    if jurisdiction.kind != JurisdictionKind.PLACE:
        return []
    counties = list(jurisdiction.counties.order_by("name"))
    counties.sort(key=lambda c: c.pk != jurisdiction.county_id)
    return counties


def jurisdiction_pks_by_ocd_id(*, ocd_ids: Iterable[str]) -> dict[str, int]:
    """Map OCD ids to Jurisdiction pks in two queries, tolerating Open States' spellings.

    Accepts division ids and Open States jurisdiction ids
    (``ocd-jurisdiction/.../place:houston/government``). Exact matches win; an
    unmatched place id is retried with the variants Open States is known to
    write (see ``ocd_id_variants``), and kept only when exactly one
    jurisdiction answers, so a guess never picks between two candidates.
    Ids that match nothing are absent from the result.
    """
    wanted = {raw: division_id(raw) for raw in ocd_ids}
    exact = dict(
        Jurisdiction.objects.filter(ocd_id__in=set(wanted.values())).values_list("ocd_id", "pk")
    )
    result = {raw: exact[div] for raw, div in wanted.items() if div in exact}
    pending = {raw: div for raw, div in wanted.items() if raw not in result and "/place:" in div}
    if not pending:
        return result
    prefixes = {div.rsplit("/place:", 1)[0] for div in pending.values()}
    index: dict[str, list[int]] = {}
    condition = Q()
    for prefix in prefixes:
        condition |= Q(ocd_id__startswith=prefix + "/")
    # Census-designated places have no government of their own: a guessed
    # match to one (Woodbridge CDP for Woodbridge Township) would be wrong.
    candidates = Jurisdiction.objects.filter(condition, incorporated=True)
    for ocd_id, pk in candidates.values_list("ocd_id", "pk"):
        index.setdefault(ocd_id, []).append(pk)
        index.setdefault(_squashed(ocd_id), []).append(pk)
    for raw, div in pending.items():
        for variant in ocd_id_variants(div):
            pks = index.get(variant) or index.get(_squashed(variant)) or []
            if len(set(pks)) == 1:
                result[raw] = pks[0]
                break
    return result


def division_id(ocd_id: str) -> str:
    """``ocd-jurisdiction/…/government`` -> ``ocd-division/…``; division ids pass through."""
    if ocd_id.startswith("ocd-jurisdiction/"):
        ocd_id = "ocd-division/" + ocd_id.removeprefix("ocd-jurisdiction/")
        ocd_id = ocd_id.rsplit("/", 1)[0] if ocd_id.endswith("/government") else ocd_id
    return ocd_id


def ocd_id_variants(ocd_id: str) -> list[str]:
    """Spellings of a place id that Open States writes differently from the Census name.

    ``saint_paul`` for St. Paul, ``greenbelt_`` with a stray underscore,
    ``teaneck_township`` with the legal suffix, ``boise`` for "Boise City", and
    ``place:chesterfield_county`` for a county government.
    """
    prefix, _, slug = ocd_id.rpartition("/place:")
    if not prefix:
        return []
    base = [slug.strip("_"), re.sub(r"(^|_)saint_", r"\1st_", slug.strip("_"))]
    slugs = base + [re.sub(r"_(township|borough|village|town|city)$", "", s) for s in base]
    slugs += [s + "_city" for s in base]
    variants = [f"{prefix}/place:{s}" for s in dict.fromkeys(slugs) if s]
    if slug.endswith("_county"):
        variants.append(f"{prefix}/county:{slug.removesuffix('_county')}")
    return variants


def _squashed(ocd_id: str) -> str:
    # "lees_summit" vs "lee_s_summit", "okean" vs "o_kean": compare without underscores.
    return ocd_id.replace("_", "")
