"""Reads for delivery: which offices a rule targets, their contacts, progress and accountability."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from firstline.campaigns.models import Campaign
from firstline.campaigns.selectors import campaign_signatories
from firstline.geo.models import Jurisdiction, JurisdictionKind
from firstline.officials.models import ContactKind, ContactPoint, Office, Term
from firstline.officials.roles import role_order
from firstline.policies.models import PolicyRecord, RecordStatus

from .models import (
    Channel,
    Delivery,
    DeliveryStatus,
    GeographyKind,
    LetterCopy,
    PolicyCondition,
    Response,
    ResponseKind,
    Target,
    TargetRule,
)

IN_FORCE = (RecordStatus.IN_FORCE, RecordStatus.PARTIAL)

# Prefer the address an office reads for official business.
_CLASSIFICATION_RANK = {
    "capitol": 0,
    "primary": 1,
    "office": 2,
    "bundled": 2,
    "csv": 3,
    "district": 4,
}


def target_rule_offices(*, rule: TargetRule) -> QuerySet[Office]:
    """Offices matching one rule. The policy condition is read on the office's
    own jurisdiction (a sheriff's county, a legislator's state), because that is
    where the office can act; docs/delivery.md explains why not the whole chain."""
    qs = Office.objects.filter(role__in=list(rule.roles))
    if rule.geography == GeographyKind.STATES:
        qs = qs.filter(jurisdiction__usps__in=[s.upper() for s in rule.states])
    elif rule.geography == GeographyKind.JURISDICTIONS:
        chosen = list(rule.jurisdictions.values_list("pk", flat=True))
        # covers: a multi-county prosecutorial district's one office serves each county.
        qs = qs.filter(
            Q(jurisdiction_id__in=chosen)
            | Q(jurisdiction__county_id__in=chosen)
            | Q(jurisdiction__state_id__in=chosen)
            | Q(covers__in=chosen)
        ).distinct()
    if rule.min_population:
        qs = qs.filter(jurisdiction__population__gte=rule.min_population)
    if rule.policy_id and rule.policy_condition:
        with_policy = PolicyRecord.objects.filter(
            policy_id=rule.policy_id, status__in=IN_FORCE, jurisdiction__isnull=False
        ).values("jurisdiction_id")
        if rule.policy_condition == PolicyCondition.IN_FORCE:
            qs = qs.filter(jurisdiction_id__in=with_policy)
        else:
            qs = qs.exclude(jurisdiction_id__in=with_policy)
    return qs


def campaign_target_offices(*, campaign: Campaign) -> dict[int, str]:
    """office id -> letter language, over every rule (the first rule naming an office wins)."""
    offices: dict[int, str] = {}
    for rule in campaign.target_rules.prefetch_related("jurisdictions").order_by("pk"):
        for pk in (
            target_rule_offices(rule=rule).values_list("pk", flat=True).iterator(chunk_size=5000)
        ):
            offices.setdefault(pk, rule.language)
    return offices


@dataclass
class OfficeContact:
    holder_name: str = ""
    email: str = ""
    postal_address: str = ""


def _best(points: list[tuple[str, str]]) -> str:
    points.sort(key=lambda p: (_CLASSIFICATION_RANK.get(p[0], 9), p[1]))
    return points[0][1] if points else ""


def office_contacts(*, office_ids: Iterable[int]) -> dict[int, OfficeContact]:
    """Current holder, best email and best postal address per office, in four queries
    per 5,000 offices (a person's own contact points beat the office's)."""
    ids = list(office_ids)
    out: dict[int, OfficeContact] = {pk: OfficeContact() for pk in ids}
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        holders: dict[int, int] = {}
        names: dict[int, str] = {}
        terms = (
            Term.objects.filter(office_id__in=chunk, end_date__isnull=True)
            .order_by("office_id", "-start_date")
            .values_list("office_id", "person_id", "person__name")
        )
        for office_id, person_id, name in terms:
            if office_id not in holders:
                holders[office_id] = person_id
                names[office_id] = name
        by_person: dict[int, dict[str, list[tuple[str, str]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        by_office: dict[int, dict[str, list[tuple[str, str]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        contacts = ContactPoint.objects.filter(
            Q(person_id__in=set(holders.values())) | Q(office_id__in=chunk),
            kind__in=[ContactKind.EMAIL, ContactKind.ADDRESS],
        ).values_list("person_id", "office_id", "kind", "classification", "value")
        for person_id, office_id, kind, classification, value in contacts:
            bucket = by_person[person_id] if person_id else by_office[office_id]
            bucket[kind].append((classification, value))
        for office_id in chunk:
            person = holders.get(office_id)
            mine = by_person.get(person, {}) if person else {}
            seat = by_office.get(office_id, {})
            out[office_id] = OfficeContact(
                holder_name=names.get(office_id, ""),
                email=_best(list(mine.get(ContactKind.EMAIL, [])))
                or _best(list(seat.get(ContactKind.EMAIL, []))),
                postal_address=_best(list(mine.get(ContactKind.ADDRESS, [])))
                or _best(list(seat.get(ContactKind.ADDRESS, []))),
            )
    return out


@dataclass
class TargetPreview:
    total: int = 0
    by_role: list[tuple[str, int]] = field(default_factory=list)
    by_state: list[tuple[str, int]] = field(default_factory=list)
    email: int = 0
    postal_only: int = 0
    nothing: int = 0
    unconfirmed: int = 0  # holders whose scheduled term ended with no successor on record


def target_preview(*, campaign: Campaign) -> TargetPreview:
    """Counts by role, by state and by contact availability, before freezing."""
    offices = campaign_target_offices(campaign=campaign)
    if not offices:
        return TargetPreview()
    roles: Counter[str] = Counter()
    states: Counter[str] = Counter()
    ids = list(offices)
    for start in range(0, len(ids), 5000):
        for role, usps in Office.objects.filter(pk__in=ids[start : start + 5000]).values_list(
            "role", "jurisdiction__usps"
        ):
            roles[role] += 1
            states[usps] += 1
    contacts = office_contacts(office_ids=ids)
    email = sum(1 for c in contacts.values() if c.email)
    postal = sum(1 for c in contacts.values() if not c.email and c.postal_address)
    today = timezone.localdate()
    unconfirmed = sum(
        Term.objects.filter(
            office_id__in=ids[start : start + 5000],
            end_date__isnull=True,
            scheduled_end_date__lt=today,
        )
        .values("office_id")
        .distinct()
        .count()
        for start in range(0, len(ids), 5000)
    )
    return TargetPreview(
        unconfirmed=unconfirmed,
        total=len(ids),
        by_role=sorted(roles.items(), key=lambda kv: (-kv[1], kv[0])),
        by_state=sorted(states.items()),
        email=email,
        postal_only=postal,
        nothing=len(ids) - email - postal,
    )


def frozen_target_counts(*, campaign: Campaign) -> dict[str, int]:
    qs = Target.objects.filter(campaign=campaign)
    # Aliases must not shadow the "email" field the filters read.
    agg = qs.aggregate(
        n_total=Count("pk"),
        n_email=Count("pk", filter=~Q(email="")),
        n_postal=Count("pk", filter=Q(email="") & ~Q(postal_address="")),
    )
    counts = {"total": agg["n_total"], "email": agg["n_email"], "postal_only": agg["n_postal"]}
    counts["nothing"] = counts["total"] - counts["email"] - counts["postal_only"]
    return counts


# --- Progress ---------------------------------------------------------------------


@dataclass
class DeliveryProgress:
    total: int = 0
    queued: int = 0
    sending: int = 0
    sent: int = 0
    failed: int = 0
    delivered_by_hand: int = 0
    mailed: int = 0
    printed: int = 0

    @property
    def remaining(self) -> int:
        return self.queued + self.sending

    @property
    def done(self) -> int:
        return self.total - self.remaining

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0


def delivery_progress(*, campaign: Campaign, channel: str | None = None) -> DeliveryProgress:
    """One grouped query over the campaign's deliveries."""
    qs = Delivery.objects.filter(campaign=campaign)
    if channel:
        qs = qs.filter(channel=channel)
    progress = DeliveryProgress()
    for status, n in qs.values_list("status").annotate(n=Count("pk")).order_by():
        progress.total += n
        if status == DeliveryStatus.BOUNCED:
            progress.failed += n
        elif hasattr(progress, status):
            setattr(progress, status, getattr(progress, status) + n)
    return progress


def campaign_delivery_summary(*, campaign: Campaign) -> dict[str, Any]:
    """What the campaign page shows: targets, delivery and response counts (three queries)."""
    progress = delivery_progress(campaign=campaign)
    responses = responses_latest(campaign=campaign)
    kinds = Counter(r.kind for r in responses.values())
    targets = Target.objects.filter(campaign=campaign).count()
    return {
        "targets": targets,
        "delivered": progress.sent + progress.delivered_by_hand + progress.mailed,
        "queued": progress.remaining,
        "failed": progress.failed,
        "responded": sum(n for k, n in kinds.items() if k != ResponseKind.NO_RESPONSE),
        "committed": kinds.get(ResponseKind.COMMITMENT, 0),
        "declined": kinds.get(ResponseKind.DECLINED, 0),
        "no_answer": targets - sum(n for k, n in kinds.items() if k != ResponseKind.NO_RESPONSE),
    }


# --- Responses and accountability -----------------------------------------------------


def responses_latest(*, campaign: Campaign) -> dict[int, Response]:
    """The latest response per target (one query)."""
    latest: dict[int, Response] = {}
    for response in Response.objects.filter(campaign=campaign).order_by(
        "target_id", "-logged_at", "-pk"
    ):
        latest.setdefault(response.target_id, response)
    return latest


@dataclass
class AccountabilityRow:
    usps: str
    role: str
    role_label: str
    targets: int = 0
    committed: int = 0
    responded: int = 0
    declined: int = 0
    no_answer: int = 0
    committed_names: list[str] = field(default_factory=list)


def campaign_accountability(*, campaign: Campaign) -> list[AccountabilityRow]:
    """Who responded, who committed and who has not answered, by state and role (two queries)."""
    latest = responses_latest(campaign=campaign)
    rows: dict[tuple[str, str], AccountabilityRow] = {}
    for target in Target.objects.filter(campaign=campaign).only(
        "pk", "usps", "role", "title", "holder_name"
    ):
        row = rows.get((target.usps, target.role))
        if row is None:
            row = rows[(target.usps, target.role)] = AccountabilityRow(
                usps=target.usps, role=target.role, role_label=target.get_role_display()
            )
        row.targets += 1
        response = latest.get(target.pk)
        kind = response.kind if response else ResponseKind.NO_RESPONSE
        if kind == ResponseKind.COMMITMENT:
            row.committed += 1
            row.committed_names.append(target.addressee)
        elif kind == ResponseKind.DECLINED:
            row.declined += 1
        elif kind in (ResponseKind.REPLIED, ResponseKind.MEETING):
            row.responded += 1
        else:
            row.no_answer += 1
    return [rows[k] for k in sorted(rows)]


def letter_copies_changed_since_render(*, campaign: Campaign) -> list[int]:
    """Copies whose jurisdiction (or its county or state) has a record changed after
    the copy was rendered. One query per 500 distinct jurisdictions."""
    letters = list(
        LetterCopy.objects.filter(campaign=campaign, stale=False).values_list(
            "pk",
            "rendered_at",
            "target__jurisdiction_id",
            "target__jurisdiction__county_id",
            "target__jurisdiction__state_id",
        )
    )
    jurisdiction_ids = {j for row in letters for j in row[2:] if j}
    changed: dict[int, Any] = {}
    ids = sorted(jurisdiction_ids)
    for start in range(0, len(ids), 500):
        for jid, last in (
            PolicyRecord.objects.filter(jurisdiction_id__in=ids[start : start + 500])
            .values_list("jurisdiction_id")
            .annotate(last=_max_updated())
            .order_by()
        ):
            changed[jid] = last
    out = []
    for pk, rendered_at, *chain in letters:
        for jid in chain:
            if jid and jid in changed and changed[jid] > rendered_at:
                out.append(pk)
                break
    return out


def _max_updated() -> Any:
    from django.db.models import Max

    return Max("updated_at")


def deliveries_failed(*, campaign: Campaign) -> QuerySet[Delivery]:
    return (
        Delivery.objects.filter(campaign=campaign, status=DeliveryStatus.FAILED)
        .select_related("letter__target")
        .order_by("pk")
    )


def print_letters(
    *, campaign: Campaign, jurisdiction: Jurisdiction | None = None, without_email_only: bool = True
) -> QuerySet[LetterCopy]:
    """Letters to print: by default the copies of targets with no email."""
    # The office and campaign name the cover page in the letter's language.
    qs = LetterCopy.objects.filter(campaign=campaign).select_related(
        "campaign", "target", "target__jurisdiction", "target__office"
    )
    if without_email_only:
        qs = qs.filter(target__email="")
    if jurisdiction is not None:
        if jurisdiction.kind == JurisdictionKind.STATE:
            qs = qs.filter(target__usps=jurisdiction.usps)
        elif jurisdiction.kind == JurisdictionKind.COUNTY:
            qs = qs.filter(
                Q(target__jurisdiction=jurisdiction) | Q(target__jurisdiction__county=jurisdiction)
            )
        else:
            qs = qs.filter(target__jurisdiction=jurisdiction)
    return qs.order_by(
        "target__usps", "target__jurisdiction__name", "target__role", "target__title"
    )


def deliveries_due(*, campaign_id: int, channel: str, limit: int) -> list[int]:
    """Queued rows of one channel whose next attempt is due, oldest first (delivery_claim_idx)."""
    return list(
        Delivery.objects.filter(
            campaign_id=campaign_id,
            channel=channel,
            status=DeliveryStatus.QUEUED,
            next_attempt_at__lte=timezone.now(),
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def print_deliveries_open(*, campaign: Campaign) -> QuerySet[Delivery]:
    """Print deliveries not yet handed over or mailed, for the dashboard."""
    return (
        Delivery.objects.filter(
            campaign=campaign,
            channel=Channel.PRINT,
            status__in=[DeliveryStatus.QUEUED, DeliveryStatus.PRINTED],
        )
        .select_related("letter__target")
        .order_by("letter__target__usps", "letter__target__title")
    )


def campaign_organizations(*, campaign: Campaign) -> list[tuple[int, str]]:
    """The co-signing organizations, who may deliver printed letters by hand."""
    from firstline.campaigns.models import SignatureStatus

    return list(
        campaign.signatures.filter(status=SignatureStatus.APPROVED)
        .values_list("organization_id", "organization__name")
        .order_by("organization__name")
        .distinct()
    )


@dataclass
class CoverageGroup:
    usps: str
    role: str
    targets: list[Target]
    # (organization id, name, contact email) of verified signatories from this state
    partners: list[tuple[int, str, str]]


def campaign_coverage(*, campaign: Campaign) -> list[CoverageGroup]:
    """Frozen targets lacking a holder, an email or a postal address, by state and role."""
    missing = (
        Target.objects.filter(campaign=campaign)
        .filter(Q(holder_name="") | Q(email="") | Q(postal_address=""))
        .select_related("jurisdiction")
        .order_by("usps", "role", "title")
    )
    groups: dict[tuple[str, str], list[Target]] = defaultdict(list)
    for target in missing:
        groups[(target.usps, target.role)].append(target)
    partners: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    # Approved signatures are verified ones: their organizations' contacts are known good.
    for signature in campaign_signatories(campaign=campaign):
        org = signature.organization
        home = org.home_jurisdiction
        if home is not None and signature.contact_email:
            partners[home.usps].append((org.pk, org.name, signature.contact_email))
    return [
        CoverageGroup(usps=usps, role=role, targets=targets, partners=partners.get(usps, []))
        for (usps, role), targets in sorted(
            groups.items(), key=lambda kv: (kv[0][0], role_order(kv[0][1]))
        )
    ]
