"""Reads for campaigns and signatures (public pages, delivery, exports)."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from firstline.campaigns.models import Campaign, Signature, SignatureStatus
from firstline.geo.models import Jurisdiction


def campaign_signatories(
    *, campaign: Campaign, local_to: Jurisdiction | None = None
) -> QuerySet[Signature]:
    """Approved signatures with their organization and its home jurisdiction.

    With ``local_to``, signatories based in that jurisdiction, its state, or
    (for a place) its county come first, then the rest, each by name. Used by
    the public page and by delivery to list co-signers under a letter.
    """
    qs = Signature.objects.filter(
        campaign=campaign, status=SignatureStatus.APPROVED
    ).select_related(
        "organization", "organization__home_jurisdiction", "organization__home_jurisdiction__state"
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
