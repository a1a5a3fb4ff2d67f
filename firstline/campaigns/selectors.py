"""Reads for campaigns and signatures (public pages, delivery, exports)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Subquery, Value, When

from firstline.campaigns.models import (
    Campaign,
    CampaignStatus,
    Organization,
    OrganizationType,
    Signature,
    SignatureStatus,
)
from firstline.geo.models import Jurisdiction, JurisdictionKind


def campaign_signatories(
    *, campaign: Campaign, local_to: Jurisdiction | None = None
) -> QuerySet[Signature]:
    """Approved signatures with their organization and its home jurisdiction.

    With ``local_to``, signatories based in that jurisdiction, its state, or
    (for a place) its county come first, then the rest, each by name. Used by
    the public page and by delivery to list co-signers under a letter.
    """
    qs = (
        Signature.objects.filter(campaign=campaign, status=SignatureStatus.APPROVED)
        .select_related(
            "organization",
            "organization__home_jurisdiction",
            "organization__home_jurisdiction__state",
        )
        # Lists of signatories show organizations, never their contacts: leave
        # the encrypted columns unread, so a public page or a letter never
        # decrypts (and a key problem cannot break them).
        .defer("contact_name", "contact_email")
    )
    if local_to is None:
        return qs.order_by("organization__name", "pk")
    local = Q(organization__home_jurisdiction=local_to)
    if local_to.kind == "state":
        local |= Q(organization__home_jurisdiction__state=local_to)
    else:
        if local_to.county_id:
            local |= Q(organization__home_jurisdiction_id=local_to.county_id)
        if local_to.state_id:
            local |= Q(organization__home_jurisdiction_id=local_to.state_id)
    return qs.annotate(
        local_rank=Case(When(local, then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("local_rank", "organization__name", "pk")


# --- Public pages -----------------------------------------------------------------


def campaigns_public() -> QuerySet[Campaign]:
    """Campaigns visible to the public (not drafts), with their approved counts."""
    return (
        Campaign.objects.exclude(status=CampaignStatus.DRAFT)
        .annotate(
            approved_count=Count(
                "signatures", filter=Q(signatures__status=SignatureStatus.APPROVED)
            )
        )
        .order_by("-created_at")
    )


def campaign_public_get(*, slug: str) -> Campaign | None:
    return campaigns_public().prefetch_related("asks").filter(slug=slug).first()


def campaign_for_signing(*, slug: str) -> Campaign | None:
    """The few columns the sign-on POST needs (not the letters or the count)."""
    return (
        Campaign.objects.exclude(status=CampaignStatus.DRAFT)
        .filter(slug=slug)
        .only("slug", "title", "title_es", "status", "opens_at", "closes_at")
        .first()
    )


@dataclass
class SignatoryGroup:
    state: str
    types: list[tuple[str, list[Organization]]] = field(default_factory=list)
    count: int = 0


def campaign_signatory_groups(*, campaign: Campaign) -> list[SignatoryGroup]:
    """Approved signatories grouped by state, then by type (national, state, local).

    National organizations and those with no home come first, under their own heading.
    """
    type_order = [t.value for t in OrganizationType]
    labels = dict(OrganizationType.choices)
    buckets: dict[str, dict[str, list[Organization]]] = {}
    for sig in campaign_signatories(campaign=campaign):
        org = sig.organization
        home = org.home_jurisdiction
        if org.type == OrganizationType.NATIONAL or home is None:
            state = ""
        else:
            state = (
                home.name
                if home.kind == JurisdictionKind.STATE
                else (home.state.name if home.state else "")
            )
        buckets.setdefault(state, {}).setdefault(org.type, []).append(org)
    groups = []
    for state in sorted(buckets, key=lambda s: (s != "", s)):
        group = SignatoryGroup(state=state)
        for t in type_order:
            orgs = buckets[state].get(t)
            if orgs:
                group.types.append((str(labels[t]), orgs))
                group.count += len(orgs)
        groups.append(group)
    return groups


# --- Jurisdiction chooser -----------------------------------------------------------


def jurisdiction_label(jurisdiction: Jurisdiction) -> str:
    return str(jurisdiction)


def _ranked(qs: QuerySet[Jurisdiction]) -> QuerySet[Jurisdiction]:
    kind_rank = Case(
        When(kind=JurisdictionKind.STATE, then=Value(0)),
        When(kind=JurisdictionKind.COUNTY, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        qs.select_related(None)
        .annotate(kind_rank=kind_rank)
        .order_by("kind_rank", F("population").desc(nulls_last=True), "name")
    )


def jurisdiction_search(*, query: str, limit: int = 15) -> list[Jurisdiction]:
    """Jurisdictions whose name starts with the query ("harris", "harris, tx")."""
    text, _, usps = (query or "").partition(",")
    text, usps = text.strip(), usps.strip().upper()
    if len(text) < 2:
        return []
    qs = Jurisdiction.objects.filter(Q(name__istartswith=text) | Q(short_name__istartswith=text))
    if len(usps) == 2:
        qs = qs.filter(usps=usps)
    return list(_ranked(qs)[:limit])


def jurisdiction_get(*, pk: int) -> Jurisdiction | None:
    """By id (the form's hidden field when the datalist was used)."""
    return Jurisdiction.objects.filter(pk=pk).first()


def jurisdiction_resolve(text: str) -> tuple[Jurisdiction | None, list[Jurisdiction]]:
    """Turn what the user typed into one jurisdiction, or a short list of candidates.

    Exact forms are "Texas", "TX", "Harris County, TX" (what the datalist offers),
    "Houston, TX". Anything else returns candidates for the user to pick from.
    """
    text = (text or "").strip()
    if not text:
        return None, []
    name, _, usps = text.rpartition(",") if "," in text else (text, "", "")
    name, usps = name.strip(), usps.strip().upper()
    if not usps:
        state = Jurisdiction.objects.filter(
            Q(kind=JurisdictionKind.STATE) & (Q(name__iexact=name) | Q(usps__iexact=name))
        ).first()
        if state is not None:
            return state, []
        return None, jurisdiction_search(query=name, limit=10)
    # The exact spelling the datalist offers, in the state with that postal
    # code: one query served by the (state, kind, name) index (a subquery, as a
    # join makes SQLite scan every county and place). The state and the
    # case-insensitive search are looked up only on a miss.
    states = Jurisdiction.objects.filter(kind=JurisdictionKind.STATE, usps=usps)
    local = Jurisdiction.objects.filter(kind__in=[JurisdictionKind.COUNTY, JurisdictionKind.PLACE])
    exact = list(local.filter(state_id__in=Subquery(states.values("pk")), name=name)[:2])
    if len(exact) == 1:
        return exact[0], []
    state_id = states.values_list("pk", flat=True).first()
    if state_id is None:
        return None, []
    local = local.filter(state_id=state_id)
    loose = list(_ranked(local.filter(Q(name__iexact=name) | Q(short_name__iexact=name)))[:10])
    by_full_name = [j for j in loose if j.name.casefold() == name.casefold()]
    if len(by_full_name) == 1:
        return by_full_name[0], []
    if len(loose) == 1:
        return loose[0], []
    return None, loose or jurisdiction_search(query=f"{name}, {usps}", limit=10)
