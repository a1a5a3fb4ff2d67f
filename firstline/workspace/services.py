"""Writes the workspace adds: saving a campaign an organizer wrote.

Everything else the workspace does (opening, moderating, targeting, rendering,
sending, printing, responses) calls the campaigns and delivery services."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from firstline.campaigns.models import Campaign
from firstline.campaigns.services import User
from firstline.core.services import audit_event_record
from firstline.policies.models import Policy, PolicyKind


class AskNotProtective(ValueError):
    pass


def campaign_save(*, campaign: Campaign, asks: Iterable[Policy], by: User = None) -> Campaign:
    """Create or update a campaign from the organizer's form. Its letter languages
    follow the letters written (Spanish only when a Spanish letter exists), and its
    asks are protective policies only."""
    asks = list(asks)
    harmful = [p.slug for p in asks if p.kind != PolicyKind.PROTECTIVE]
    if harmful:
        raise AskNotProtective(f"asks must be protective policies: {', '.join(harmful)}")
    campaign.languages = ["en", "es"] if campaign.letter_es.strip() else ["en"]
    created = campaign.pk is None
    with transaction.atomic():
        campaign.save()
        campaign.asks.set(asks)
        audit_event_record(
            action="campaign.create" if created else "campaign.edit",
            subject=f"campaigns.Campaign:{campaign.pk}",
            actor=by,
            message=campaign.title,
        )
    return campaign
