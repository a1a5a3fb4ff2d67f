"""Letters by email, through the mail app's routing and connection.

A message leaves the machine only if DELIVERY_MODE allows it *and* the
campaign's switch is on; otherwise ``route_for`` returns the outbox and the row
records ``mode=outbox``. Recipients per domain are rate limited per minute.
"""

from __future__ import annotations

import smtplib
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from firstline.delivery.models import Channel, Delivery, DomainWindow, Target
from firstline.mail.transport import Route, Sender, new_message_id, route_for

from .base import Result, Transport
from .mime import LetterEmail


def letter_message(delivery: Delivery) -> LetterEmail:
    """The letter as a text + HTML email (Message-ID and routing are added by Sender)."""
    letter = delivery.letter
    headers = {"X-Firstline-Delivery": str(delivery.pk), "Content-Language": letter.language}
    reply_to = delivery.campaign.reply_email
    return LetterEmail(
        subject=letter.subject,
        body=letter.text,
        html=render_to_string("delivery/letter_email.html", {"letter": letter}),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.to_address],
        # The envelope sender stays the platform's verified address (SPF, DKIM);
        # replies go to the campaign's contact, outside the app.
        reply_to=[reply_to] if reply_to else None,
        headers=headers,
    )


def _window(now: datetime) -> datetime:
    return now.replace(second=0, microsecond=0)


def domain_reserve(*, domain: str, wanted: int, now: datetime) -> int:
    """Reserve up to ``wanted`` sends to ``domain`` in the current minute; returns how many."""
    limit = settings.DELIVERY_PER_DOMAIN_PER_MINUTE
    window = _window(now)
    for _attempt in range(5):
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
                continue  # another pump created this minute's row first
        pk, count = row
        grant = min(wanted, limit - count)
        if grant <= 0:
            return 0
        if DomainWindow.objects.filter(pk=pk, count=count).update(count=count + grant):
            return grant
    return 0


class EmailChannel(Transport):
    name = Channel.EMAIL
    label = _("Email")
    pumped = True

    @classmethod
    def address(cls, target: Target) -> str | None:
        # Addresses are validated when targets are frozen; "" means none usable.
        return target.email.strip() or None

    @classmethod
    def delivery_fields(cls, address: str) -> dict[str, Any]:
        # The Message-ID is stamped now, before any worker sees the row: every
        # attempt and every resend after a crash carries the same one.
        return {
            "to_address": address,
            "domain": address.rpartition("@")[2].lower(),
            "message_id": new_message_id(),
            "next_attempt_at": timezone.now(),
        }

    def __init__(self, *, external_allowed: bool = False) -> None:
        super().__init__(external_allowed=external_allowed)
        self._sender = Sender()
        self._routes: dict[int, Route] = {}

    def _route(self, delivery: Delivery) -> Route:
        if delivery.pk not in self._routes:
            self._routes[delivery.pk] = route_for(
                [delivery.to_address], external_allowed=self.external_allowed
            )
        return self._routes[delivery.pk]

    def admit(self, rows: list[Delivery]) -> tuple[list[Delivery], list[Delivery], datetime]:
        """What the per-domain limit allows this minute; the rest waits for the next."""
        self._routes = {}
        now = timezone.now()
        by_domain: dict[str, list[Delivery]] = defaultdict(list)
        keep: list[Delivery] = []
        for d in rows:
            route = self._route(d)
            if route.leaves_machine:
                by_domain[route.recipients[0].rpartition("@")[2].lower()].append(d)
            else:
                keep.append(d)
        later: list[Delivery] = []
        for domain, items in by_domain.items():
            granted = domain_reserve(domain=domain, wanted=len(items), now=now)
            keep.extend(items[:granted])
            later.extend(items[granted:])
        keep.sort(key=lambda d: d.pk)
        return keep, later, _window(now) + timedelta(seconds=60)

    def send(self, delivery: Delivery) -> Result:
        route = self._route(delivery)
        try:
            self._sender.send(letter_message(delivery), route, message_id=delivery.message_id)
        except smtplib.SMTPResponseException:
            raise  # the server answered: the connection is still good
        except Exception:
            self._sender.close()  # reconnect for the next message
            raise
        return Result(mode=route.mode)

    def close(self) -> None:
        self._sender.close()
