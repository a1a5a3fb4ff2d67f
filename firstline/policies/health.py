"""Evidence health: contradictions and staleness in the evidence base, and research coverage.

Read-only; ``manage.py evidence_health`` and the staff page
(``policies:evidence_health``) both call :func:`evidence_health` and
:func:`evidence_coverage`. Each kind of problem is one small check so a new
one is one function and one line in :data:`CHECKS`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.db.models import Count, F, Max, Q, QuerySet
from django.urls import reverse

from firstline.geo.models import Jurisdiction, JurisdictionKind
from firstline.policies.legal_status import provision_status
from firstline.policies.models import (
    PRIMARY_SOURCES,
    Confidence,
    Instrument,
    LegalEvent,
    Policy,
    PolicyRecord,
    RecordStatus,
    ResearchCheck,
)
from firstline.policies.selectors import legal_event_rows

ICE_STALE_DAYS = 90
IN_FORCE = (RecordStatus.IN_FORCE, RecordStatus.PARTIAL)


@dataclass(frozen=True)
class Item:
    kind: str
    message: str
    url: str  # the admin page of the record or instrument to fix


@dataclass
class Report:
    items: list[Item] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return dict(sorted(Counter(i.kind for i in self.items).items()))


def instruments_current() -> QuerySet[Instrument]:
    """Instruments still in the evidence: not those whose every provision was withdrawn."""
    return Instrument.objects.annotate(
        provision_count=Count("provisions"),
        live=Count("provisions", filter=~Q(provisions__status=RecordStatus.WITHDRAWN)),
    ).filter(Q(provision_count=0) | Q(live__gt=0))


def _record_url(pk: int) -> str:
    return reverse("admin:policies_policyrecord_change", args=[pk])


def _instrument_url(pk: int) -> str:
    return reverse("admin:policies_instrument_change", args=[pk])


def _agreements_in_banning_states(today: dt.date) -> Iterator[Item]:
    """A 287(g) agreement in force in a state whose own law says no 287(g).

    The message says when ICE's list predates the law: then the list, not the
    law, is the likely stale side.
    """
    banning = {
        usps: (citation, effective or enacted)
        for usps, citation, effective, enacted in PolicyRecord.objects.filter(
            policy__slug="no_287g", level=JurisdictionKind.STATE, status__in=IN_FORCE
        ).values_list("usps", "citation", "effective_on", "enacted_on")
    }
    agreements = PolicyRecord.objects.filter(
        policy__slug="agreement_287g", status__in=IN_FORCE, usps__in=list(banning)
    ).order_by("usps", "agency_name")
    for pk, usps, agency, listed in agreements.values_list("pk", "usps", "agency_name", "as_of"):
        citation, since = banning[usps]
        stale = (
            f"; ICE's list of {listed} predates the law ({since})"
            if listed and since and listed < since
            else ""
        )
        yield Item(
            "agreement_in_banning_state",
            f"{agency} ({usps}) has a 287(g) agreement in force; {usps} law bars 287(g) ({citation}){stale}",
            _record_url(pk),
        )


def _sources_older_than_events(today: dt.date) -> Iterator[Item]:
    newest = Instrument.objects.annotate(last_event=Max("events__date")).filter(
        last_event__isnull=False, pk__in=instruments_current().values("pk")
    )
    for i in newest.filter(Q(as_of__isnull=True) | Q(as_of__lt=F("last_event"))):
        yield Item(
            "source_older_than_event",
            f"{i.slug}: research as of {i.as_of or 'unknown'} predates its latest event ({i.last_event})",  # type: ignore[attr-defined]
            _instrument_url(i.pk),
        )


def _ice_list_stale(today: dt.date) -> Iterator[Item]:
    latest = PolicyRecord.objects.filter(policy__slug="agreement_287g").aggregate(d=Max("as_of"))[
        "d"
    ]
    if latest is None or (today - latest).days > ICE_STALE_DAYS:
        age = f"{(today - latest).days} days old (list of {latest})" if latest else "missing"
        yield Item(
            "ice_list_stale",
            f"ICE's 287(g) list is {age}; refresh it (data/ice-287g/README.md)",
            reverse("admin:policies_policyrecord_changelist")
            + "?policy__slug__exact=agreement_287g",
        )


def _verified_without_primary_source(today: dt.date) -> Iterator[Item]:
    verified = (
        instruments_current()
        .filter(confidence=Confidence.VERIFIED)
        .exclude(source_type__in=PRIMARY_SOURCES)
    )
    for i in verified.order_by("slug"):
        yield Item(
            "verified_without_primary_source",
            f"{i.slug}: verified, but its source is {i.source_type or 'not typed'} ({i.url or 'no URL'})",
            _instrument_url(i.pk),
        )
    staff = PolicyRecord.objects.filter(
        confidence=Confidence.VERIFIED, instrument__isnull=True, agency_name=""
    ).exclude(status=RecordStatus.WITHDRAWN)
    for pk, citation in staff.values_list("pk", "citation"):
        yield Item(
            "verified_without_primary_source",
            f"record {pk} ({citation}): verified, with no instrument or typed source",
            _record_url(pk),
        )


def _events_without_primary_source(today: dt.date) -> Iterator[Item]:
    """A court or legislative event read only in a secondary report: it changes a
    status (an injunction lifted puts a law back in force), so it needs the order
    or the bill itself."""
    events = (
        LegalEvent.objects.filter(instrument__in=instruments_current())
        .exclude(source_type__in=PRIMARY_SOURCES)
        .select_related("instrument")
        .order_by("instrument__slug", "date")
    )
    for e in events:
        yield Item(
            "event_without_primary_source",
            f"{e.instrument.slug}: {e.get_kind_display().lower()} on {e.date} ({e.reference}) "
            f"rests on a {e.source_type or 'untyped'} source ({e.url or 'no URL'})",
            _instrument_url(e.instrument_id),
        )


def _status_disagrees_with_events(today: dt.date) -> Iterator[Item]:
    """A provision stored as in force (verified or not) that its legal history says is not, or the reverse."""
    events = legal_event_rows()
    provisions = (
        PolicyRecord.objects.filter(instrument__isnull=False)
        .exclude(status=RecordStatus.WITHDRAWN)
        .select_related("instrument", "policy")
    )
    for r in provisions:
        i = r.instrument
        assert i is not None
        derived, _event = provision_status(
            instrument_status=i.status,
            enacted_on=i.enacted_on,
            effective_on=i.effective_on,
            extent=r.extent,
            policy=r.policy.slug,
            events=events[i.pk],
            on=today,
        )
        if derived and derived != r.status:
            label = "verified " if r.confidence == Confidence.VERIFIED else ""
            yield Item(
                "status_disagrees_with_events",
                f"{i.slug} / {r.policy.slug}: {label}{r.status} on record, but its legal history says {derived}",
                _record_url(r.pk),
            )


def _research_contradicts_provision(today: dt.date) -> Iterator[Item]:
    in_force = set(
        PolicyRecord.objects.filter(status__in=IN_FORCE, jurisdiction__isnull=False).values_list(
            "jurisdiction_id", "policy_id"
        )
    )
    for c in ResearchCheck.objects.select_related("jurisdiction", "policy"):
        if (c.jurisdiction_id, c.policy_id) in in_force:
            yield Item(
                "research_contradicts_provision",
                f"{c.jurisdiction.ocd_id}: research says {c.policy.slug} is not in force, "
                "but a provision in force is on record",
                reverse("admin:policies_researchcheck_change", args=[c.pk]),
            )


def _provision_without_section(today: dt.date) -> Iterator[Item]:
    missing = (
        PolicyRecord.objects.filter(instrument__isnull=False)
        .filter(Q(section="") | Q(section__startswith="not recorded"))
        .exclude(status=RecordStatus.WITHDRAWN)
    )
    for pk, slug, policy in missing.values_list("pk", "instrument__slug", "policy__slug"):
        yield Item(
            "provision_without_section", f"{slug} / {policy}: no section cited", _record_url(pk)
        )


def _instrument_without_url(today: dt.date) -> Iterator[Item]:
    for pk, slug in instruments_current().filter(url="").values_list("pk", "slug"):
        yield Item("instrument_without_url", f"{slug}: no source URL", _instrument_url(pk))


CHECKS: tuple[Callable[[dt.date], Iterator[Item]], ...] = (
    _agreements_in_banning_states,
    _sources_older_than_events,
    _ice_list_stale,
    _verified_without_primary_source,
    _events_without_primary_source,
    _status_disagrees_with_events,
    _research_contradicts_provision,
    _provision_without_section,
    _instrument_without_url,
)


def evidence_health(*, today: dt.date | None = None) -> Report:
    today = today or dt.date.today()
    return Report(items=[item for check in CHECKS for item in check(today)])


@dataclass(frozen=True)
class Coverage:
    states: int
    per_policy: dict[str, int]  # core slug -> states (with DC) researched for it
    instruments: int
    primary_share: float
    verified_share: float


def evidence_coverage() -> Coverage:
    """States researched per core policy (a provision or a research check at state level)."""
    core = list(Policy.objects.filter(core=True).values_list("slug", flat=True))
    states = Jurisdiction.objects.filter(kind=JurisdictionKind.STATE).count()
    seen: dict[str, set[int]] = defaultdict(set)
    provisions = PolicyRecord.objects.filter(
        level=JurisdictionKind.STATE, policy__slug__in=core, instrument__isnull=False
    ).exclude(status=RecordStatus.WITHDRAWN)
    for jid, slug in provisions.values_list("jurisdiction_id", "policy__slug"):
        seen[slug].add(jid)
    checks = ResearchCheck.objects.filter(
        jurisdiction__kind=JurisdictionKind.STATE, policy__slug__in=core
    )
    for jid, slug in checks.values_list("jurisdiction_id", "policy__slug"):
        seen[slug].add(jid)
    current = instruments_current()
    total = current.count()
    primary = current.filter(source_type__in=PRIMARY_SOURCES).count()
    verified = current.filter(confidence=Confidence.VERIFIED).count()
    return Coverage(
        states=states,
        per_policy={slug: len(seen[slug]) for slug in core},
        instruments=total,
        primary_share=primary / total if total else 0.0,
        verified_share=verified / total if total else 0.0,
    )
