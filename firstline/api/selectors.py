"""Reads behind the /api/v1 lists and details.

Each list is one keyset page (``listing.keyset_page``) with its related rows
loaded by ``select_related``/``prefetch_related``: a page costs the same few
queries whatever its size (``tests/test_lists.py`` holds that).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet

from firstline.api.listing import M, PageParams, keyset_page
from firstline.campaigns.models import Campaign
from firstline.campaigns.selectors import campaign_signatories, campaigns_public
from firstline.geo.models import Jurisdiction
from firstline.officials.models import ContactPoint, Office, Person, Term
from firstline.policies.models import Instrument, LegalEvent, Policy, PolicyRecord
from firstline.policies.scorecard import (
    EffectiveStatus,
    PolicyLine,
    Summary,
    Unit,
    scorecard_summaries,
    scorecards_compute,
)

# Open States files some legislators' home addresses and phones; the API lists
# the ways officials publish for the public to reach them, not their homes.
PRIVATE_CLASSIFICATIONS = ("home",)


def public_contacts() -> QuerySet[ContactPoint]:
    return ContactPoint.objects.exclude(classification__in=PRIVATE_CLASSIFICATIONS).order_by(
        "kind", "classification", "value"
    )


def _where(qs: QuerySet[M], **lookups: object) -> QuerySet[M]:
    """``qs`` filtered by the lookups that were given (None means the filter is absent)."""
    return qs.filter(**{key: value for key, value in lookups.items() if value is not None})


# --- Jurisdictions ------------------------------------------------------------------


@dataclass
class JurisdictionPage:
    rows: list[Jurisdiction]
    more: bool
    summaries: dict[int, Summary]
    # The requested policy's line per jurisdiction, with the provision behind it.
    lines: dict[int, PolicyLine] = field(default_factory=dict)
    instrument_slugs: dict[int, str] = field(default_factory=dict)


def jurisdictions_page(
    *,
    page: PageParams,
    state: str | None = None,
    kind: str | None = None,
    grade: str | None = None,
    policy: str | None = None,
    status: str | None = None,
) -> JurisdictionPage:
    qs = _where(Jurisdiction.objects.select_related("state", "county"), usps=state, kind=kind)
    if grade or status:
        rows, more, summaries = _filtered_by_scorecard(
            qs, page=page, grade=grade, policy=policy, status=status
        )
    else:
        rows, more = keyset_page(qs, page)
        summaries = scorecard_summaries(jurisdictions=rows)
    result = JurisdictionPage(rows=rows, more=more, summaries=summaries)
    if policy and rows:
        cards = scorecards_compute(jurisdiction_ids=[j.pk for j in rows])
        result.lines = {
            jid: line for jid, card in cards.items() if (line := card.line(policy)) is not None
        }
        result.instrument_slugs = _instrument_slugs(result.lines.values())
    return result


def _filtered_by_scorecard(
    qs: QuerySet[Jurisdiction],
    *,
    page: PageParams,
    grade: str | None,
    policy: str | None,
    status: str | None,
) -> tuple[list[Jurisdiction], bool, dict[int, Summary]]:
    """Grades and statuses live in the scorecard cache, one entry per state: match there.

    Two queries (the candidate keys, the cache) plus the page itself, whatever
    the number of candidates; a state missing from the cache is computed once.
    """
    candidates = [
        Unit(id=pk, ocd_id="", kind=kind, state_id=state_id)
        for pk, kind, state_id in qs.filter(pk__gt=page.after)
        .order_by("pk")
        .values_list("pk", "kind", "state_id")
    ]
    summaries = scorecard_summaries(jurisdictions=candidates)
    wanted: list[int] = []
    for unit in candidates:
        summary = summaries.get(unit.id)
        if summary is None or (grade and summary.grade != grade):
            continue
        if status and policy and summary.statuses.get(policy, EffectiveStatus.NONE) != status:
            continue
        wanted.append(unit.id)
        if len(wanted) > page.limit:
            break
    rows = list(qs.filter(pk__in=wanted[: page.limit]).order_by("pk"))
    return rows, len(wanted) > page.limit, summaries


def _instrument_slugs(lines: Iterable[PolicyLine]) -> dict[int, str]:
    ids = {
        row.instrument_id
        for line in lines
        for row in (line.record, line.reason)
        if row is not None and row.instrument_id
    }
    return dict(Instrument.objects.filter(pk__in=ids).values_list("pk", "slug")) if ids else {}


# --- Policies, instruments, provisions --------------------------------------------------


def policies_page(
    *, page: PageParams, kind: str | None, category: str | None, core: bool | None
) -> tuple[list[Policy], bool]:
    return keyset_page(_where(Policy.objects.all(), kind=kind, category=category, core=core), page)


def _events() -> Prefetch:
    return Prefetch("events", queryset=LegalEvent.objects.order_by("date", "id"))


def _instruments() -> QuerySet[Instrument]:
    provisions = PolicyRecord.objects.select_related("policy").order_by("policy__sort_order", "pk")
    return Instrument.objects.select_related("jurisdiction").prefetch_related(
        Prefetch("provisions", queryset=provisions), _events()
    )


def instruments_page(
    *,
    page: PageParams,
    state: str | None,
    jurisdiction: str | None,
    policy: str | None,
    status: str | None,
    kind: str | None,
) -> tuple[list[Instrument], bool]:
    qs = _where(
        _instruments(),
        jurisdiction__usps=state,
        jurisdiction__ocd_id=jurisdiction,
        status=status,
        kind=kind,
    )
    if policy:
        qs = qs.filter(pk__in=PolicyRecord.objects.filter(policy__slug=policy).values("instrument"))
    return keyset_page(qs, page)


def instrument_get(*, slug: str) -> Instrument | None:
    return _instruments().filter(slug=slug).first()


def _provisions() -> QuerySet[PolicyRecord]:
    return PolicyRecord.objects.select_related("policy", "jurisdiction", "instrument").defer(
        "excerpt", "note"
    )


def provisions_page(
    *,
    page: PageParams,
    state: str | None,
    jurisdiction: str | None,
    policy: str | None,
    status: str | None,
) -> tuple[list[PolicyRecord], bool]:
    qs = _where(
        _provisions(),
        usps=state,
        jurisdiction__ocd_id=jurisdiction,
        policy__slug=policy,
        status=status,
    )
    return keyset_page(qs, page)


def provision_get(*, pk: int) -> tuple[PolicyRecord, list[LegalEvent]] | None:
    record = _provisions().filter(pk=pk).first()
    if record is None:
        return None
    events: list[LegalEvent] = []
    if record.instrument_id:
        events = [
            e
            for e in LegalEvent.objects.filter(instrument_id=record.instrument_id).order_by(
                "date", "id"
            )
            if e.affects(record.policy.slug)
        ]
    return record, events


# --- Offices and officials ----------------------------------------------------------------


def _offices() -> QuerySet[Office]:
    current = (
        Term.objects.filter(end_date__isnull=True)
        .select_related("person")
        .prefetch_related(Prefetch("person__contacts", queryset=public_contacts()))
        .order_by("start_date", "person__family_name")
    )
    return Office.objects.select_related("jurisdiction", "district").prefetch_related(
        Prefetch("terms", queryset=current, to_attr="current_terms"),
        Prefetch("contacts", queryset=public_contacts()),
    )


def offices_page(
    *, page: PageParams, state: str | None, jurisdiction: str | None, role: str | None
) -> tuple[list[Office], bool]:
    qs = _where(_offices(), jurisdiction__usps=state, role=role)
    if jurisdiction:
        # A multi-county prosecutor sits at one county and covers the others.
        qs = qs.filter(
            Q(jurisdiction__ocd_id=jurisdiction)
            | Q(
                pk__in=Office.covers.through.objects.filter(
                    jurisdiction__ocd_id=jurisdiction
                ).values("office_id")
            )
        )
    return keyset_page(qs, page)


def office_get(*, pk: int) -> Office | None:
    return _offices().filter(pk=pk).first()


def _officials() -> QuerySet[Person]:
    current = (
        Term.objects.filter(end_date__isnull=True)
        .select_related("office__jurisdiction", "office__district")
        .order_by("start_date", "pk")
    )
    return Person.objects.prefetch_related(
        Prefetch("terms", queryset=current, to_attr="current_terms"),
        Prefetch("contacts", queryset=public_contacts()),
    )


def officials_page(
    *, page: PageParams, state: str | None, jurisdiction: str | None, role: str | None
) -> tuple[list[Person], bool]:
    terms = _where(
        Term.objects.filter(end_date__isnull=True),
        office__jurisdiction__usps=state,
        office__jurisdiction__ocd_id=jurisdiction,
        office__role=role,
    )
    return keyset_page(_officials().filter(pk__in=terms.values("person_id")), page)


def official_get(*, person_id: str) -> Person | None:
    return _officials().filter(ocd_person_id=person_id).first()


# --- Campaigns --------------------------------------------------------------------------


def _campaigns() -> QuerySet[Campaign]:
    return campaigns_public().select_related("organizer").prefetch_related("asks")


def campaigns_page(*, page: PageParams, status: str | None) -> tuple[list[Campaign], bool]:
    return keyset_page(_where(_campaigns(), status=status), page)


def campaign_get(*, slug: str) -> tuple[Campaign, list[str]] | None:
    campaign = _campaigns().filter(slug=slug).first()
    if campaign is None:
        return None
    names = list(
        campaign_signatories(campaign=campaign).values_list("organization__name", flat=True)
    )
    return campaign, names
