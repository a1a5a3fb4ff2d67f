"""Targeting: the campaign's rules, its external switch, and freezing the targets.

Freezing snapshots each office's holder, best email and best postal address
into ``Target`` rows, so a later roster import does not change who the
campaign writes to (docs/delivery.md, section 1).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from firstline.campaigns.models import Campaign
from firstline.core.services import audit_event_record
from firstline.geo.models import Jurisdiction
from firstline.officials.models import Office
from firstline.policies.models import Policy

from . import selectors
from .base import DeliveryError, User, signed_in
from .models import (
    CampaignDelivery,
    Delivery,
    GeographyKind,
    LetterCopy,
    PolicyCondition,
    PrintPacket,
    Response,
    Target,
    TargetRule,
)


def campaign_delivery_get(*, campaign: Campaign) -> CampaignDelivery:
    state, _ = CampaignDelivery.objects.get_or_create(campaign=campaign)
    return state


def target_rule_add(
    *,
    campaign: Campaign,
    roles: Sequence[str],
    geography: str = GeographyKind.ALL,
    states: Sequence[str] = (),
    jurisdictions: Iterable[Jurisdiction] = (),
    policy: Policy | None = None,
    policy_condition: str = PolicyCondition.ANY,
    min_population: int | None = None,
    language: str = "en",
    by: User = None,
) -> TargetRule:
    if policy_condition and policy is None:
        raise DeliveryError("a policy condition needs a policy")
    if campaign_delivery_get(campaign=campaign).targets_frozen_at:
        raise DeliveryError("targets are frozen; rules can no longer change")
    rule = TargetRule.objects.create(
        campaign=campaign,
        roles=list(roles),
        geography=geography,
        states=[s.upper() for s in states],
        policy=policy,
        policy_condition=policy_condition,
        min_population=min_population,
        language=language,
    )
    rule.jurisdictions.set(list(jurisdictions))
    audit_event_record(
        action="delivery.rule_add",
        subject=f"campaigns.Campaign:{campaign.pk}",
        actor=by,
        message=str(rule),
        data={"rule": rule.pk},
    )
    return rule


def delivery_switch_set(*, campaign: Campaign, enabled: bool, by: User) -> CampaignDelivery:
    """The campaign's second key for real delivery; every flip is recorded."""
    state = campaign_delivery_get(campaign=campaign)
    CampaignDelivery.objects.filter(pk=state.pk).update(
        external_enabled=enabled,
        external_changed_at=timezone.now(),
        external_changed_by=signed_in(by),
    )
    audit_event_record(
        action="delivery.switch_on" if enabled else "delivery.switch_off",
        subject=f"campaigns.Campaign:{campaign.pk}",
        actor=by,
        message=f"delivery to officials {'enabled' if enabled else 'disabled'}",
    )
    state.refresh_from_db()
    return state


def _valid_email(value: str) -> str:
    """An address SMTP will accept, or "" (the target then gets a printed letter).
    Rosters carry typos such as a space inside the local part."""
    value = value.strip()
    try:
        validate_email(value)
    except ValidationError:
        return ""
    return value


def targets_freeze(*, campaign: Campaign, by: User = None) -> int:
    """Snapshot the targets (holder, email, address) so later roster imports do
    not change who this campaign writes to."""
    state = campaign_delivery_get(campaign=campaign)
    offices = selectors.campaign_target_offices(campaign=campaign)
    contacts = selectors.office_contacts(office_ids=offices)
    with transaction.atomic():
        claimed = CampaignDelivery.objects.filter(
            pk=state.pk, targets_frozen_at__isnull=True
        ).update(
            targets_frozen_at=timezone.now(),
            targets_frozen_by=signed_in(by),
        )
        if not claimed:
            raise DeliveryError("targets are already frozen")
        rows = []
        ids = list(offices)
        for start in range(0, len(ids), 2000):
            for office in Office.objects.filter(pk__in=ids[start : start + 2000]).select_related(
                "jurisdiction"
            ):
                c = contacts[office.pk]
                rows.append(
                    Target(
                        campaign=campaign,
                        office=office,
                        jurisdiction=office.jurisdiction,
                        role=office.role,
                        usps=office.jurisdiction.usps,
                        title=office.title,
                        holder_name=c.holder_name,
                        email=_valid_email(c.email),
                        postal_address=c.postal_address,
                        language=offices[office.pk],
                    )
                )
        Target.objects.bulk_create(rows, batch_size=1000)
        audit_event_record(
            action="delivery.targets_freeze",
            subject=f"campaigns.Campaign:{campaign.pk}",
            actor=by,
            message=f"{len(rows)} targets",
            data={"targets": len(rows)},
        )
    return len(rows)


def targets_contacts_fill(*, campaign: Campaign, by: User = None) -> int:
    """Fill frozen targets' missing holder, email or postal address from the current
    records (accepted roster changes). The offices stay the frozen ones, and nothing a
    target already has is replaced; changed targets' letters are flagged for re-rendering."""
    targets = list(
        Target.objects.filter(campaign=campaign).filter(
            Q(holder_name="") | Q(email="") | Q(postal_address="")
        )
    )
    contacts = selectors.office_contacts(office_ids=[t.office_id for t in targets])
    changed = []
    for target in targets:
        c = contacts[target.office_id]
        fill = {
            "holder_name": target.holder_name or c.holder_name,
            "email": target.email or _valid_email(c.email),
            "postal_address": target.postal_address or c.postal_address,
        }
        if any(getattr(target, k) != v for k, v in fill.items()):
            for k, v in fill.items():
                setattr(target, k, v)
            changed.append(target)
    with transaction.atomic():
        Target.objects.bulk_update(changed, ["holder_name", "email", "postal_address"])
        LetterCopy.objects.filter(target__in=changed).update(
            stale=True, stale_reason="target's holder or contacts filled in"
        )
        if changed:
            audit_event_record(
                action="delivery.targets_fill",
                subject=f"campaigns.Campaign:{campaign.pk}",
                actor=by,
                message=f"{len(changed)} targets filled in from current records",
            )
    return len(changed)


def targets_unfreeze(*, campaign: Campaign, by: User = None) -> int:
    """Undo a freeze before anything went out: drop the frozen targets and their
    rendered copies so the rules can change. Refused once a delivery, a print
    packet or a response exists, because those are the campaign's record."""
    with transaction.atomic():
        if (
            Delivery.objects.filter(campaign=campaign).exists()
            or PrintPacket.objects.filter(campaign=campaign).exists()
            or Response.objects.filter(campaign=campaign).exists()
        ):
            raise DeliveryError(
                "letters were already sent, printed or answered; targets stay frozen"
            )
        claimed = CampaignDelivery.objects.filter(
            campaign=campaign, targets_frozen_at__isnull=False
        ).update(targets_frozen_at=None, targets_frozen_by=None)
        if not claimed:
            raise DeliveryError("targets are not frozen")
        LetterCopy.objects.filter(campaign=campaign).delete()
        targets = Target.objects.filter(campaign=campaign)
        n = targets.count()
        targets.delete()
        audit_event_record(
            action="delivery.targets_unfreeze",
            subject=f"campaigns.Campaign:{campaign.pk}",
            actor=by,
            message="targets unfrozen",
        )
    return n
