from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from firstline.lib.dbscrub import db_scrub_after_purge
from firstline.mail.models import Email, EmailStatus
from firstline.mail.queue import SendQueue
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
        # str(): the text part is not HTML. render_to_string marks its output
        # safe, and a page that shows this text (the resident's preview) must
        # escape it like any other text.
        text = str.__str__(render_to_string(f"{template}.txt", context))
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
    """Render the templates, then queue the message (``email_queue_rendered``)."""
    subject, text, html = email_render(template=template, context=context, language=language)
    return email_queue_rendered(
        to=to,
        subject=subject,
        text=text,
        html=html,
        kind=kind,
        language=language,
        sensitive=sensitive,
    )


def email_queue_rendered(
    *,
    to: list[str],
    subject: str,
    text: str,
    html: str,
    kind: str,
    language: str = "en",
    sensitive: bool = True,
) -> Email:
    """Write the outbox row and its send task in the caller's transaction.

    The task backend keeps its queue in this database (django-tasks-db), so
    the row and its task commit together, or not at all: no extra commit per
    email, and no email committed without a task. A worker cannot see the
    task before the commit.
    """
    from firstline.mail.tasks import send_email

    with transaction.atomic(savepoint=False):
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
        send_email.enqueue(email.pk)
    return email


# Transactional mail is one message per task; ten minutes of lease is far above
# one send and short enough that a killed worker's row is retried soon.
OUTBOX = SendQueue(model=Email, lease_seconds=600, backoff_seconds=BACKOFF_BASE_SECONDS)


def email_send(*, email_id: int) -> bool:
    """Claim, send, record. Returns True if this call delivered the message.

    The lease makes a second worker (or a retried task) a no-op.
    """
    token, rows = OUTBOX.claim([email_id])
    if not rows:
        return False
    [email] = rows
    recipients = [a.strip() for a in email.to.split(",") if a.strip()]
    route = route_for(recipients, external_allowed=True)
    message = EmailMultiAlternatives(
        subject=email.subject, body=email.text, from_email=email.from_email or None, to=recipients
    )
    if email.html:
        message.attach_alternative(email.html, "text/html")
    try:
        with Sender() as sender:
            message_id = sender.send(message, route, message_id=email.message_id or None)
    except Exception as exc:
        OUTBOX.record_failure(email, token=token, error=exc)
        logger.warning("email %s attempt failed: %s", email_id, type(exc).__name__)
        return False
    extra: dict[str, Any] = {"message_id": message_id}
    if email.sensitive and route.leaves_machine:
        # Once it has left, we no longer need the private address or the link.
        extra.update({"to": "", "text": "", "html": ""})
    return OUTBOX.record_sent(email, token=token, mode=route.mode, **extra)


def email_retry_due(*, now: Any = None) -> int:
    """Re-enqueue queued rows whose backoff has passed, rows whose lease expired
    (a worker killed mid-send) and rows never enqueued after ten minutes."""
    from firstline.mail.tasks import send_email

    now = now or timezone.now()
    OUTBOX.sweep(now=now)
    # Queued but never enqueued: a row written by hand or by a task backend
    # kept outside this database. A duplicate task is harmless (email_send claims).
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


def email_purge_sensitive(*, now: Any = None) -> int:
    """Delete outbox rows that hold a private person's address or a live link
    (``sensitive``) once they are older than OUTBOX_SENSITIVE_KEEP_HOURS: by
    then any link in them has expired, and the outbox is no archive of people."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.OUTBOX_SENSITIVE_KEEP_HOURS)
    deleted, _ = (
        Email.objects.filter(sensitive=True, created_at__lt=cutoff)
        .exclude(status__in=[EmailStatus.QUEUED, EmailStatus.SENDING])
        .delete()
    )
    if deleted:
        db_scrub_after_purge()
    return deleted
