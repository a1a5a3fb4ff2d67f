"""Writes for delivery: rules, freezing, rendering, the email queue, print, responses.

Exactly-once email, in short (the long form is docs/delivery.md):

1. ``deliveries_create`` writes one Delivery per (letter, channel) -- the
   database refuses a second -- and stamps its Message-ID there and then,
   before any worker sees the row.
2. A pump claims due rows with a conditional update (``queued`` ->
   ``sending`` with a random lease token and ``lease_until``); only the rows
   whose token it wrote are its own.
3. It sends each over one SMTP connection, with the stored Message-ID, and
   right after the server's 250 marks that row ``sent`` (guarded by its token).
   It stops using a batch before the lease runs out, so no live worker ever
   holds a row another worker may have reclaimed.
4. A worker killed mid-batch leaves rows ``sending``; when their lease
   expires any pump puts them back to ``queued`` (keeping the Message-ID), and
   a deadman pump scheduled at each pump's start guarantees one will run.

What remains is the window between the server's 250 and our commit of
``sent``: a kill there resends the message with the *same* Message-ID, so
the duplicate is identifiable (and dropped by receivers that deduplicate on
it). No protocol can close that window with SMTP; we keep it to one message
per killed worker by committing each result on its own.
"""

from __future__ import annotations

import logging
import smtplib
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import models as auth_models
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from firstline.campaigns.models import Campaign, Organization
from firstline.core.services import audit_event_record
from firstline.geo.models import Jurisdiction
from firstline.lib.env import env_int
from firstline.mail.transport import Route, Sender, new_message_id, route_for
from firstline.policies.models import Instrument, Policy, RecordStatus
from firstline.policies.services import policy_record_add

from . import letters as letters_mod
from . import selectors
from .mime import LetterEmail
from .models import (
    CampaignDelivery,
    Channel,
    Delivery,
    DeliveryStatus,
    DomainWindow,
    GeographyKind,
    LetterCopy,
    PacketScope,
    PolicyCondition,
    PrintPacket,
    Response,
    ResponseKind,
    Target,
    TargetRule,
)

logger = logging.getLogger(__name__)
User = AbstractBaseUser | AnonymousUser | None


def _signed_in(by: User) -> auth_models.User | None:
    # AnonymousUser is not an auth User, and a real one is always authenticated.
    return by if isinstance(by, auth_models.User) and by.is_authenticated else None


# Tunables read from the environment so a subprocess worker in a test or the
# bench can shorten them; production keeps the defaults.
LEASE_SECONDS = env_int("DELIVERY_LEASE_SECONDS", 120)
BACKOFF_SECONDS = env_int("DELIVERY_BACKOFF_SECONDS", 30)
BATCH_SIZE = env_int("DELIVERY_BATCH_SIZE", 50)
PUMPS = env_int("DELIVERY_PUMPS", 2)
PUMP_BUDGET_SECONDS = env_int("DELIVERY_PUMP_BUDGET_SECONDS", 30)
RENDER_BATCH = env_int("DELIVERY_RENDER_BATCH", 250)
# Stop using a claimed batch this long before its lease ends.
LEASE_MARGIN_SECONDS = 2


class DeliveryError(ValueError):
    """A staff action that cannot be done now (targets not frozen, already delivering...)."""


# --- Rules, switch, freezing -----------------------------------------------------------


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
        external_changed_by=by
        if by is not None and getattr(by, "is_authenticated", False)
        else None,
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
            targets_frozen_by=by
            if by is not None and getattr(by, "is_authenticated", False)
            else None,
        )
        if not claimed:
            raise DeliveryError("targets are already frozen")
        rows = []
        ids = list(offices)
        from firstline.officials.models import Office

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


# --- Rendering ---------------------------------------------------------------------------


def letters_render_enqueue(*, campaign: Campaign, only_missing_or_stale: bool = True) -> int:
    """Queue render tasks over batches of targets; returns the number of batches."""
    from .tasks import render_letters

    qs = Target.objects.filter(campaign=campaign)
    if only_missing_or_stale:
        qs = qs.exclude(letters__stale=False)
    ids = list(qs.order_by("pk").values_list("pk", flat=True))
    batches = [ids[i : i + RENDER_BATCH] for i in range(0, len(ids), RENDER_BATCH)]

    def enqueue() -> None:
        for batch in batches:
            render_letters.enqueue(campaign.pk, batch)

    transaction.on_commit(enqueue)
    return len(batches)


def letters_render_batch(*, campaign_id: int, target_ids: Sequence[int]) -> int:
    """Render (or re-render) the copies of these targets. Scorecards, similar
    jurisdictions and signatories are loaded once per batch."""
    campaign = Campaign.objects.get(pk=campaign_id)
    asks = list(campaign.asks.all())
    targets = list(
        Target.objects.filter(campaign=campaign, pk__in=list(target_ids)).select_related(
            "jurisdiction", "jurisdiction__state", "office"
        )
    )
    if not targets:
        return 0
    cards = letters_mod.scorecards_for({t.jurisdiction_id for t in targets})
    names = letters_mod.ocd_names_for(cards.values())
    similar = letters_mod.SimilarIndex.load(
        slugs=[a.slug for a in asks], kinds={t.jurisdiction.kind for t in targets}
    )
    signatories: dict[int, list[dict[str, Any]]] = {}
    now = timezone.now()
    existing = {
        (lc.target_id, lc.language): lc
        for lc in LetterCopy.objects.filter(target__in=targets).only("pk", "target_id", "language")
    }
    to_create: list[LetterCopy] = []
    to_update: list[LetterCopy] = []
    for target in targets:
        if target.jurisdiction_id not in signatories:
            signatories[target.jurisdiction_id] = letters_mod.signatory_names(
                campaign=campaign, local_to=target.jurisdiction
            )
        sigs = signatories[target.jurisdiction_id]
        gaps, in_force = letters_mod.letter_lines(
            card=cards[target.jurisdiction_id],
            asks=asks,
            role=target.role,
            jurisdiction=target.jurisdiction,
            similar=similar,
            language=target.language,
            ocd_names=names,
        )
        subject, html, text, digest = letters_mod.letter_render(
            campaign=campaign,
            target=target,
            language=target.language,
            gaps=gaps,
            in_force=in_force,
            signatories=sigs,
        )
        values = {
            "subject": subject,
            "html": html,
            "text": text,
            "gaps": gaps,
            "in_force": in_force,
            "signatories": sigs,
            "content_hash": digest,
            "rendered_at": now,
            "stale": False,
            "stale_reason": "",
        }
        current = existing.get((target.pk, target.language))
        if current is None:
            to_create.append(
                LetterCopy(campaign=campaign, target=target, language=target.language, **values)
            )
        else:
            for k, v in values.items():
                setattr(current, k, v)
            to_update.append(current)
    with transaction.atomic():
        LetterCopy.objects.bulk_create(to_create, batch_size=500)
        if to_update:
            LetterCopy.objects.bulk_update(to_update, list(values), batch_size=500)
    return len(to_create) + len(to_update)


def letter_copies_flag_stale(*, campaign: Campaign) -> int:
    """Flag copies whose jurisdiction's records changed after they were rendered;
    their queued deliveries wait until they are re-rendered."""
    ids = selectors.letter_copies_changed_since_render(campaign=campaign)
    if not ids:
        return 0
    LetterCopy.objects.filter(pk__in=ids).update(
        stale=True, stale_reason="policy records changed after rendering"
    )
    return len(ids)


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


# --- The delivery queue -------------------------------------------------------------------


def deliveries_create(*, campaign: Campaign) -> int:
    """One Delivery per fresh letter copy: email when the target has an address,
    print otherwise. Idempotent: the unique (letter, channel) refuses repeats."""
    letters = LetterCopy.objects.filter(campaign=campaign, stale=False).values_list(
        "pk", "target__email"
    )
    now = timezone.now()
    rows = []
    for letter_id, email in letters.iterator(chunk_size=5000):
        email = (email or "").strip()
        if email:
            rows.append(
                Delivery(
                    letter_id=letter_id,
                    campaign=campaign,
                    channel=Channel.EMAIL,
                    to_address=email,
                    domain=email.rpartition("@")[2].lower(),
                    message_id=new_message_id(),
                    next_attempt_at=now,
                )
            )
        else:
            rows.append(
                Delivery(
                    letter_id=letter_id,
                    campaign=campaign,
                    channel=Channel.PRINT,
                    status=DeliveryStatus.QUEUED,
                )
            )
    before = Delivery.objects.filter(campaign=campaign).count()
    Delivery.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return Delivery.objects.filter(campaign=campaign).count() - before


def delivery_start(*, campaign: Campaign, by: User = None) -> int:
    """Create the deliveries and start the pumps (after commit)."""
    if not campaign_delivery_get(campaign=campaign).targets_frozen_at:
        raise DeliveryError("freeze the targets first")
    letter_copies_flag_stale(campaign=campaign)
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


def _schedule_pump(*, campaign_id: int, at: Any) -> bool:
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
    """Put rows whose lease expired (their worker died) back in the queue.

    The Message-ID stays: a resend of a message the dead worker had already
    handed over carries the same id."""
    qs = Delivery.objects.filter(status=DeliveryStatus.SENDING, lease_until__lt=timezone.now())
    if campaign_id is not None:
        qs = qs.filter(campaign_id=campaign_id)
    return qs.update(
        status=DeliveryStatus.QUEUED,
        lease_token="",
        lease_until=None,
        next_attempt_at=timezone.now(),
    )


def _window(now: Any) -> Any:
    return now.replace(second=0, microsecond=0)


def _domain_reserve(*, domain: str, wanted: int, now: Any) -> int:
    """Reserve up to ``wanted`` sends to ``domain`` in the current minute; returns how many."""
    limit = settings.DELIVERY_PER_DOMAIN_PER_MINUTE
    window = _window(now)
    for _ in range(5):
        row = (
            DomainWindow.objects.filter(domain=domain, window_start=window)
            .values_list("pk", "count")
            .first()
        )
        if row is None:
            grant = min(wanted, limit)
            try:
                with transaction.atomic():
                    DomainWindow.objects.create(domain=domain, window_start=window, count=grant)
                return grant
            except IntegrityError:
                continue
        pk, count = row
        grant = min(wanted, limit - count)
        if grant <= 0:
            return 0
        if DomainWindow.objects.filter(pk=pk, count=count).update(count=count + grant):
            return grant
    return 0


def _claim(*, campaign_id: int, limit: int) -> tuple[str, list[Delivery]]:
    ids = selectors.email_deliveries_due(campaign_id=campaign_id, limit=limit)
    if not ids:
        return "", []
    token = uuid.uuid4().hex
    now = timezone.now()
    claimed = Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.QUEUED).update(
        status=DeliveryStatus.SENDING,
        lease_token=token,
        lease_until=now + timedelta(seconds=LEASE_SECONDS),
    )
    if not claimed:
        return token, []
    rows = list(
        Delivery.objects.filter(pk__in=ids, lease_token=token, status=DeliveryStatus.SENDING)
        .select_related("letter")
        .order_by("pk")
    )
    return token, rows


def _release(rows: Iterable[Delivery], *, token: str, at: Any) -> None:
    Delivery.objects.filter(pk__in=[d.pk for d in rows], lease_token=token).update(
        status=DeliveryStatus.QUEUED, lease_token="", lease_until=None, next_attempt_at=at
    )


def _build_message(delivery: Delivery) -> EmailMessage:
    letter = delivery.letter
    return LetterEmail(
        subject=letter.subject,
        body=letter.text,
        html=render_to_string("delivery/letter_email.html", {"letter": letter}),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.to_address],
        headers={"X-Firstline-Delivery": str(delivery.pk), "Content-Language": letter.language},
    )


_MARK_SENT_SQL = (
    f"UPDATE {Delivery._meta.db_table} SET status = %s, mode = %s, sent_at = %s, updated_at = %s, "  # noqa: S608
    "attempts = attempts + 1, lease_token = '', lease_until = NULL, last_error = '', next_attempt_at = NULL "
    "WHERE id = %s AND lease_token = %s"
)


def _mark_sent(*, pk: int, token: str, mode: str) -> None:
    """The hot path's one write per message, committed on its own right after
    the server's 250 (see the module docstring). Plain SQL because the ORM's
    query building was a fifth of the per-message cost; the token guard is
    the same as everywhere else."""
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(_MARK_SENT_SQL, [DeliveryStatus.SENT.value, mode, now, now, pk, token])


def _is_permanent(error: BaseException) -> bool:
    """Retrying cannot help: a malformed address, or a 5xx from the server."""
    if isinstance(error, (ValueError, UnicodeError)):
        return True
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in error.recipients.values())
    return False


def _record_failure(
    delivery: Delivery, *, token: str, error: BaseException, permanent: bool = False
) -> None:
    attempts = delivery.attempts + 1
    failed = permanent or attempts >= settings.DELIVERY_MAX_ATTEMPTS
    Delivery.objects.filter(pk=delivery.pk, lease_token=token).update(
        status=DeliveryStatus.FAILED if failed else DeliveryStatus.QUEUED,
        attempts=attempts,
        lease_token="",
        lease_until=None,
        last_error=f"{type(error).__name__}: {error}"[:2000],
        next_attempt_at=None
        if failed
        else timezone.now() + timedelta(seconds=BACKOFF_SECONDS * 2 ** (attempts - 1)),
    )
    logger.warning("delivery %s attempt %s failed: %s", delivery.pk, attempts, type(error).__name__)


def delivery_pump(*, campaign_id: int, budget_seconds: float | None = None) -> int:
    """Send due email deliveries of one campaign until none is due or the time
    budget is spent; returns how many were sent. Safe to run many at once."""
    started = time.monotonic()
    budget = PUMP_BUDGET_SECONDS if budget_seconds is None else budget_seconds
    state = CampaignDelivery.objects.filter(campaign_id=campaign_id).first()
    if state is None:
        return 0
    deliveries_sweep(campaign_id=campaign_id)
    # The deadman: if this worker dies, this pump picks up after the lease.
    _schedule_pump(
        campaign_id=campaign_id,
        at=timezone.now() + timedelta(seconds=LEASE_SECONDS + LEASE_MARGIN_SECONDS),
    )
    sent = 0
    out_of_time = False
    with Sender() as sender:
        while True:
            if time.monotonic() - started > budget:
                out_of_time = True
                break
            token, rows = _claim(campaign_id=campaign_id, limit=BATCH_SIZE)
            if not token:
                break
            if not rows:
                continue
            lease_deadline = time.monotonic() + LEASE_SECONDS - LEASE_MARGIN_SECONDS
            external = (
                CampaignDelivery.objects.filter(pk=state.pk)
                .values_list("external_enabled", flat=True)
                .get()
            )
            routes: dict[int, Route] = {
                d.pk: route_for([d.to_address], external_allowed=external) for d in rows
            }
            sendable = _apply_rate_limit(rows, routes=routes, token=token)
            for index, delivery in enumerate(sendable):
                if time.monotonic() > lease_deadline:
                    _release(sendable[index:], token=token, at=timezone.now())
                    break
                route = routes[delivery.pk]
                try:
                    message = _build_message(delivery)
                    sender.send(message, route, message_id=delivery.message_id)
                except Exception as exc:
                    if not isinstance(exc, smtplib.SMTPResponseException) or isinstance(
                        exc, smtplib.SMTPServerDisconnected
                    ):
                        sender.close()  # reconnect for the next message
                    _record_failure(delivery, token=token, error=exc, permanent=_is_permanent(exc))
                    continue
                _mark_sent(pk=delivery.pk, token=token, mode=route.mode)
                sent += 1
    _schedule_next(campaign_id=campaign_id, now_due=out_of_time)
    return sent


def _apply_rate_limit(
    rows: list[Delivery], *, routes: dict[int, Route], token: str
) -> list[Delivery]:
    """Keep what the per-domain limit allows this minute; release the rest to the next minute."""
    now = timezone.now()
    by_domain: dict[str, list[Delivery]] = defaultdict(list)
    keep: list[Delivery] = []
    for d in rows:
        route = routes[d.pk]
        if not route.leaves_machine:
            keep.append(d)
            continue
        by_domain[route.recipients[0].rpartition("@")[2].lower()].append(d)
    for domain, items in by_domain.items():
        granted = _domain_reserve(domain=domain, wanted=len(items), now=now)
        keep.extend(items[:granted])
        if granted < len(items):
            _release(items[granted:], token=token, at=_window(now) + timedelta(seconds=60))
    keep.sort(key=lambda d: d.pk)
    return keep


def _schedule_next(*, campaign_id: int, now_due: bool) -> None:
    if now_due:
        pumps_start(campaign_id=campaign_id, count=1)
        return
    pending = Delivery.objects.filter(
        campaign_id=campaign_id,
        channel=Channel.EMAIL,
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


def delivery_mark(
    *, delivery: Delivery, status: str, on: date, organization: Organization | None, by: User = None
) -> bool:
    """Record a printed letter as delivered by hand or mailed."""
    if status not in (DeliveryStatus.DELIVERED_BY_HAND, DeliveryStatus.MAILED):
        raise DeliveryError("only delivered_by_hand or mailed can be marked by hand")
    updated = Delivery.objects.filter(
        pk=delivery.pk,
        channel=Channel.PRINT,
        status__in=[DeliveryStatus.QUEUED, DeliveryStatus.PRINTED],
    ).update(status=status, delivered_on=on, delivered_by=organization, sent_at=timezone.now())
    if updated:
        audit_event_record(
            action=f"delivery.{status}",
            subject=f"delivery.Delivery:{delivery.pk}",
            actor=by,
            message=f"{status} on {on.isoformat()}"
            + (f" by {organization}" if organization else ""),
        )
    return bool(updated)


# --- Print -----------------------------------------------------------------------------


def letters_pdf(
    *, letters: Sequence[LetterCopy], with_address_pages: bool = True
) -> tuple[bytes, int]:
    """One WeasyPrint document for any number of letters (PERFORMANCE.md: one
    document per packet renders about twice as fast as separate documents)."""
    import weasyprint

    items = [
        {
            "subject": lc.subject,
            "html": lc.html,
            "target": lc.target,
            "campaign_title": lc.campaign.title if hasattr(lc, "campaign") else "",
        }
        for lc in letters
    ]
    html = render_to_string(
        "delivery/print.html",
        {"items": items, "with_address_pages": with_address_pages, "title": "Firstline"},
    )
    document = weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).render()
    return document.write_pdf(), len(document.pages)


def print_packet_build(
    *,
    campaign: Campaign,
    scope: str,
    jurisdiction: Jurisdiction | None = None,
    letters: Sequence[LetterCopy] | None = None,
    by: User = None,
) -> PrintPacket:
    """A PDF packet: one office's letter, or every letter to print in a county or state."""
    if letters is None:
        letters = list(
            selectors.print_letters(campaign=campaign, jurisdiction=jurisdiction).select_related(
                "campaign"
            )
        )
    if not letters:
        raise DeliveryError("no letters to print here")
    if scope == PacketScope.OFFICE and len(letters) != 1:
        raise DeliveryError("an office packet holds one letter")
    pdf, pages = letters_pdf(letters=letters)
    packet = PrintPacket(campaign=campaign, scope=scope, jurisdiction=jurisdiction, pages=pages)
    packet.created_by = _signed_in(by)
    name = f"{campaign.slug}-{scope}-{jurisdiction.geoid if jurisdiction else 'all'}.pdf"
    packet.pdf.save(name, ContentFile(pdf), save=False)
    with transaction.atomic():
        packet.save()
        packet.letters.set(letters)
        Delivery.objects.filter(
            letter__in=letters, channel=Channel.PRINT, status=DeliveryStatus.QUEUED
        ).update(status=DeliveryStatus.PRINTED)
        audit_event_record(
            action="delivery.packet",
            subject=f"delivery.PrintPacket:{packet.pk}",
            actor=by,
            message=f"{len(letters)} letters, {pages} pages",
        )
    return packet


# --- Responses -----------------------------------------------------------------------------


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
    user = _signed_in(by)
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
                    f"(response {response.pk}, by {commitment_date.isoformat()})"  # type: ignore[union-attr]
                )
                records.append(
                    policy_record_add(
                        policy=policy,
                        values={
                            "jurisdiction": jurisdiction,
                            "level": jurisdiction.kind,
                            "usps": jurisdiction.usps,
                            "status": RecordStatus.PROPOSED,
                            "instrument": Instrument.OTHER,
                            "citation": citation[:300],
                            "effective_on": commitment_date,
                            "note": notes[:2000],
                            "source_url": f"{settings.SITE_URL}/en/delivery/{campaign.slug}/accountability/",
                        },
                        why=f"Commitment logged as delivery response {response.pk}",
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
