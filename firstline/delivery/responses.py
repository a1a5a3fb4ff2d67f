"""Responses: what an official answered, and the commitments that become proposed records."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction

from firstline.campaigns.models import Campaign
from firstline.core.services import audit_event_record
from firstline.policies.models import InstrumentKind, Policy, RecordStatus
from firstline.policies.services import policy_record_add

from .base import DeliveryError, User, signed_in
from .models import Response, ResponseKind, Target


def response_log(
    *,
    campaign: Campaign,
    target: Target,
    kind: str,
    notes: str = "",
    attachment: Any = None,
    policies: Sequence[Policy] = (),
    commitment_date: date | None = None,
    by: User = None,
) -> Response:
    """Log an official's response. A commitment names policies and a date and adds
    a ``proposed`` record for each, with this response as its evidence; the
    record becomes ``in_force`` only when staff add evidence of enactment."""
    if target.campaign_id != campaign.pk:
        raise DeliveryError("that target is not part of this campaign")
    if kind == ResponseKind.COMMITMENT and (not policies or commitment_date is None):
        raise DeliveryError("a commitment names at least one policy and a date")
    user = signed_in(by)
    with transaction.atomic():
        response = Response.objects.create(
            campaign=campaign,
            target=target,
            kind=kind,
            notes=notes,
            commitment_date=commitment_date if kind == ResponseKind.COMMITMENT else None,
            logged_by=user,
        )
        if attachment is not None:
            response.attachment.save(
                getattr(attachment, "name", "attachment"), attachment, save=True
            )
        if kind == ResponseKind.COMMITMENT:
            response.policies.set(policies)
            jurisdiction = target.jurisdiction
            records = []
            for policy in policies:
                citation = (
                    f"Commitment by {target.addressee} to {campaign.title} "
                    f"(by {commitment_date.isoformat()})"  # type: ignore[union-attr]
                )
                records.append(
                    policy_record_add(
                        policy=policy,
                        values={
                            "jurisdiction": jurisdiction,
                            "level": jurisdiction.kind,
                            "usps": jurisdiction.usps,
                            "status": RecordStatus.PROPOSED,
                            "instrument_kind": InstrumentKind.OTHER,
                            "citation": citation[:300],
                            "effective_on": commitment_date,
                            "note": notes[:2000],
                            "source_url": f"{settings.SITE_URL}/en/delivery/{campaign.slug}/accountability/",
                        },
                        why="An official committed to it in reply to a campaign letter",
                        by=by,
                        by_label="delivery",
                    )
                )
            response.records.set(records)
        audit_event_record(
            action="delivery.response",
            subject=f"delivery.Response:{response.pk}",
            actor=by,
            message=f"{target}: {kind}",
            data={"campaign": campaign.pk, "target": target.pk},
        )
    return response
