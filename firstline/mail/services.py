from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from firstline.mail.models import Email, EmailStatus
from firstline.mail.transport import Sender, route_for

logger = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS = 30


def email_render(*, template: str, context: dict[str, Any], language: str) -> tuple[str, str, str]:
    """Render the subject/text/HTML triple ``<template>_subject.txt``, ``.txt``, ``.html``.

    Text and subject templates must wrap their body in ``{% autoescape off %}``:
    they are plain text, and HTML-escaping would garble names like "Ana & Co".
    """
    with translation.override(language):
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
    return subject, text, html


def email_queue(
    *,
    to: list[str],
    template: str,
    context: dict[str, Any],
    kind: str,
    language: str = "en",
    sensitive: bool = True,
) -> Email:
    """Write the outbox row now; send it from a task after the transaction commits."""
    subject, text, html = email_render(template=template, context=context, language=language)
    email = Email.objects.create(
        kind=kind,
        to=", ".join(to),
        from_email=settings.DEFAULT_FROM_EMAIL,
        subject=subject[:300],
        text=text,
        html=html,
        language=language,
        sensitive=sensitive,
    )
    from firstline.mail.tasks import send_email

    transaction.on_commit(lambda: send_email.enqueue(email.pk))
    return email


def email_send(*, email_id: int) -> bool:
    """Claim, send, record. Returns True if this call delivered the message.

    The conditional update makes a second worker (or a retried task) a no-op.
    """
    claimed = Email.objects.filter(pk=email_id, status=EmailStatus.QUEUED).update(
        status=EmailStatus.SENDING, attempts=F("attempts") + 1
    )
    if not claimed:
        return False
    email = Email.objects.get(pk=email_id)
    recipients = [a.strip() for a in email.to.split(",") if a.strip()]
    route = route_for(recipients, external_allowed=True)
    message = EmailMultiAlternatives(
        subject=email.subject, body=email.text, from_email=email.from_email or None, to=recipients
    )
    if email.html:
        message.attach_alternative(email.html, "text/html")
    try:
        with Sender() as sender:
            message_id = sender.send(message, route)
    except Exception as exc:
        attempts = email.attempts
        failed = attempts >= settings.DELIVERY_MAX_ATTEMPTS
        Email.objects.filter(pk=email_id).update(
            status=EmailStatus.FAILED if failed else EmailStatus.QUEUED,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            next_attempt_at=None
            if failed
            else timezone.now() + timedelta(seconds=BACKOFF_BASE_SECONDS * 2 ** (attempts - 1)),
        )
        logger.warning("email %s attempt %s failed: %s", email_id, attempts, type(exc).__name__)
        return False
    updates: dict[str, Any] = {
        "status": EmailStatus.SENT,
        "mode": route.mode,
        "message_id": message_id,
        "sent_at": timezone.now(),
        "last_error": "",
        "next_attempt_at": None,
    }
    if email.sensitive and route.leaves_machine:
        # Once it has left, we no longer need the private address or the link.
        updates.update({"to": "", "text": "", "html": ""})
    Email.objects.filter(pk=email_id).update(**updates)
    return True


def email_retry_due(*, now: Any = None) -> int:
    """Re-enqueue queued rows whose backoff has passed, rows stuck in
    ``sending`` (a worker killed mid-send) and rows never enqueued, both
    after ten minutes."""
    from firstline.mail.tasks import send_email

    now = now or timezone.now()
    stuck = Email.objects.filter(
        status=EmailStatus.SENDING, created_at__lt=now - timedelta(minutes=10)
    )
    stuck.update(status=EmailStatus.QUEUED, next_attempt_at=now)
    # Committed but never enqueued: the process died between its commit and
    # its on_commit enqueue. A duplicate task is harmless (email_send claims).
    Email.objects.filter(
        status=EmailStatus.QUEUED,
        next_attempt_at__isnull=True,
        attempts=0,
        created_at__lt=now - timedelta(minutes=10),
    ).update(next_attempt_at=now)
    due = list(
        Email.objects.filter(status=EmailStatus.QUEUED, next_attempt_at__lte=now).values_list(
            "pk", flat=True
        )
    )
    for pk in due:
        send_email.enqueue(pk)
    return len(due)


def email_purge_sensitive(*, older_than_days: int = 30) -> int:
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted, _ = (
        Email.objects.filter(sensitive=True, created_at__lt=cutoff)
        .exclude(status=EmailStatus.QUEUED)
        .delete()
    )
    return deleted
