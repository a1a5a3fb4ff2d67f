"""Sending: the delivery queue, its pumps, staff retries.

Exactly once, in short (the long form is docs/delivery.md, section 3): a
Delivery row is unique per (letter, channel) and gets its Message-ID when it is
written; pumps claim, lease, send and record through ``firstline.mail.queue``,
the same path as the transactional outbox; a killed worker's rows return to
the queue when their lease expires, and a deadman pump scheduled at each
pump's start guarantees one runs to pick them up. Each result is committed on
its own right after the server's 250, so a kill resends at most one message,
with the same Message-ID.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from firstline.campaigns.models import Campaign, CampaignStatus
from firstline.campaigns.services import campaign_start_delivery
from firstline.core.services import audit_event_record
from firstline.lib.env import env_int
from firstline.mail.queue import SendQueue

from . import selectors
from .base import DeliveryError, User
from .channels import CHANNELS, Transport
from .models import CampaignDelivery, Delivery, DeliveryStatus, LetterCopy
from .rendering import letter_copies_flag_stale, letter_copies_rerender_stale
from .targeting import campaign_delivery_get

logger = logging.getLogger(__name__)

# Tunables read from the environment so a subprocess worker in a test or the
# bench can shorten them; production keeps the defaults.
LEASE_SECONDS = env_int("DELIVERY_LEASE_SECONDS", 120)
BACKOFF_SECONDS = env_int("DELIVERY_BACKOFF_SECONDS", 30)
BATCH_SIZE = env_int("DELIVERY_BATCH_SIZE", 50)
PUMPS = env_int("DELIVERY_PUMPS", 2)
PUMP_BUDGET_SECONDS = env_int("DELIVERY_PUMP_BUDGET_SECONDS", 30)
# Stop using a claimed batch this long before its lease ends, so no live worker
# holds a row another may have reclaimed.
LEASE_MARGIN_SECONDS = 2

LETTERS = SendQueue(model=Delivery, lease_seconds=LEASE_SECONDS, backoff_seconds=BACKOFF_SECONDS)
PUMPED = [name for name, channel in CHANNELS.items() if channel.pumped]


def deliveries_create(*, campaign: Campaign) -> int:
    """One Delivery per fresh letter copy, on the first channel (in ``CHANNELS``
    order) that reaches its target. Idempotent: the unique (letter, channel)
    refuses repeats."""
    letters = (
        LetterCopy.objects.filter(campaign=campaign, stale=False)
        .select_related("target")
        .only("pk", "target", "target__email", "target__postal_address")
    )
    rows = []
    for letter in letters.iterator(chunk_size=5000):
        for name, channel in CHANNELS.items():
            address = channel.address(letter.target)
            if address is not None:
                fields = channel.delivery_fields(address)
                rows.append(Delivery(letter=letter, campaign=campaign, channel=name, **fields))
                break
    before = Delivery.objects.filter(campaign=campaign).count()
    Delivery.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return Delivery.objects.filter(campaign=campaign).count() - before


def delivery_start(*, campaign: Campaign, by: User = None) -> int:
    """Create the deliveries and start the pumps (after commit)."""
    if not campaign_delivery_get(campaign=campaign).targets_frozen_at:
        raise DeliveryError("freeze the targets first")
    if campaign.status == CampaignStatus.COLLECTING:
        # Sending is the move into delivery: the public page says so.
        campaign_start_delivery(campaign=campaign, actor=by)
    letter_copies_flag_stale(campaign=campaign)
    # Copies flagged stale (changed records, a signatory approved or removed since
    # rendering) are rendered again first, so every letter goes out current.
    letter_copies_rerender_stale(campaign=campaign)
    created = deliveries_create(campaign=campaign)
    audit_event_record(
        action="delivery.start",
        subject=f"campaigns.Campaign:{campaign.pk}",
        actor=by,
        message=f"{created} deliveries queued",
        data={"created": created},
    )
    pumps_start(campaign_id=campaign.pk)
    return created


def pumps_start(*, campaign_id: int, count: int | None = None) -> None:
    from .tasks import deliver_pump

    def enqueue() -> None:
        for _ in range(count or PUMPS):
            deliver_pump.enqueue(campaign_id)

    transaction.on_commit(enqueue)


def _schedule_pump(*, campaign_id: int, at: datetime) -> bool:
    """Enqueue one pump to run at ``at`` unless one is already due by then.

    ``next_pump_at`` dedupes deferred pumps: a time in the past means that
    pump already ran (or died), so a new one may be scheduled."""
    from .tasks import deliver_pump

    now = timezone.now()
    updated = (
        CampaignDelivery.objects.filter(campaign_id=campaign_id)
        .filter(Q(next_pump_at__isnull=True) | Q(next_pump_at__lt=now) | Q(next_pump_at__gt=at))
        .update(next_pump_at=at)
    )
    if updated:
        task = deliver_pump.using(run_after=at) if at > now else deliver_pump
        transaction.on_commit(lambda: task.enqueue(campaign_id))
    return bool(updated)


def deliveries_sweep(*, campaign_id: int | None = None) -> int:
    """Put rows whose lease expired (their worker died) back in the queue."""
    if campaign_id is None:
        return LETTERS.sweep()
    return LETTERS.sweep(campaign_id=campaign_id)


def _send_batch(transport: Transport, rows: list[Delivery], *, token: str) -> int:
    """Send one claimed batch, recording each result as soon as it is known."""
    lease_deadline = time.monotonic() + LEASE_SECONDS - LEASE_MARGIN_SECONDS
    now_rows, later, later_at = transport.admit(rows)
    if later:
        LETTERS.release(later, token=token, at=later_at)
    sent = 0
    for index, delivery in enumerate(now_rows):
        if time.monotonic() > lease_deadline:
            LETTERS.release(now_rows[index:], token=token, at=timezone.now())
            break
        try:
            result = transport.send(delivery)
        except Exception as exc:
            LETTERS.record_failure(delivery, token=token, error=exc)
            logger.warning(
                "delivery %s attempt %s failed: %s",
                delivery.pk,
                delivery.attempts + 1,
                type(exc).__name__,
            )
            continue
        LETTERS.record_sent(delivery, token=token, mode=result.mode, status=result.status)
        sent += 1
    return sent


def delivery_pump(*, campaign_id: int, budget_seconds: float | None = None) -> int:
    """Send due deliveries of one campaign on every pumped channel until none is
    due or the time budget is spent; returns how many were sent. Safe to run many at once."""
    started = time.monotonic()
    budget = PUMP_BUDGET_SECONDS if budget_seconds is None else budget_seconds
    state = CampaignDelivery.objects.filter(campaign_id=campaign_id).first()
    if state is None:
        return 0
    deliveries_sweep(campaign_id=campaign_id)
    # A signatory approved after the deliveries were queued: re-render before sending.
    stale = Campaign.objects.filter(pk=campaign_id, letter_copies__stale=True).first()
    if stale is not None:
        letter_copies_rerender_stale(campaign=stale)
    # The deadman: if this worker dies, this pump picks up after the lease.
    _schedule_pump(
        campaign_id=campaign_id,
        at=timezone.now() + timedelta(seconds=LEASE_SECONDS + LEASE_MARGIN_SECONDS),
    )
    sent = 0
    out_of_time = False
    for name in PUMPED:
        transport = CHANNELS[name]()
        try:
            while not out_of_time:
                if time.monotonic() - started > budget:
                    out_of_time = True
                    break
                ids = selectors.deliveries_due(
                    campaign_id=campaign_id, channel=name, limit=BATCH_SIZE
                )
                token, rows = LETTERS.claim(ids, related=["letter", "campaign"])
                if not token:
                    break
                # The switch is read per batch, so turning it off stops a running campaign.
                transport.external_allowed = (
                    CampaignDelivery.objects.filter(pk=state.pk)
                    .values_list("external_enabled", flat=True)
                    .get()
                )
                sent += _send_batch(transport, rows, token=token)
        finally:
            transport.close()
    _schedule_next(campaign_id=campaign_id, now_due=out_of_time)
    return sent


def _schedule_next(*, campaign_id: int, now_due: bool) -> None:
    if now_due:
        pumps_start(campaign_id=campaign_id, count=1)
        return
    pending = Delivery.objects.filter(
        campaign_id=campaign_id,
        channel__in=PUMPED,
        status__in=[DeliveryStatus.QUEUED, DeliveryStatus.SENDING],
    )
    queued_at = (
        pending.filter(status=DeliveryStatus.QUEUED)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    lease_at = (
        pending.filter(status=DeliveryStatus.SENDING)
        .order_by("lease_until")
        .values_list("lease_until", flat=True)
        .first()
    )
    candidates = [t for t in (queued_at, lease_at) if t is not None]
    if candidates:
        _schedule_pump(campaign_id=campaign_id, at=min(candidates) + timedelta(milliseconds=100))


def delivery_retry(*, delivery: Delivery, by: User = None) -> bool:
    """Staff retry of a failed delivery: a fresh attempt budget, same Message-ID."""
    updated = Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.FAILED).update(
        status=DeliveryStatus.QUEUED, attempts=0, next_attempt_at=timezone.now(), last_error=""
    )
    if updated:
        audit_event_record(
            action="delivery.retry",
            subject=f"delivery.Delivery:{delivery.pk}",
            actor=by,
            message="staff retry",
        )
        pumps_start(campaign_id=delivery.campaign_id, count=1)
    return bool(updated)
