"""Sensitive outbox rows (a private address, a live link) do not outlive their links."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from firstline.core.management.commands.run_periodic import periodic_jobs
from firstline.mail.models import Email, EmailStatus
from firstline.mail.services import email_purge_sensitive

pytestmark = pytest.mark.django_db


def _email(*, sensitive: bool, status: str, age_hours: float) -> Email:
    email = Email.objects.create(
        kind="signature_verify", status=status, to="ana@example.org", subject="Confirm",
        text="https://firstline.example/en/campaigns/confirm/TOKEN/", sensitive=sensitive,
    )  # fmt: skip
    Email.objects.filter(pk=email.pk).update(created_at=timezone.now() - timedelta(hours=age_hours))
    return email


def test_old_sensitive_rows_go_and_everything_else_stays(settings):
    settings.OUTBOX_SENSITIVE_KEEP_HOURS = 72
    gone = _email(sensitive=True, status=EmailStatus.SENT, age_hours=73)
    failed = _email(sensitive=True, status=EmailStatus.FAILED, age_hours=100)
    fresh = _email(sensitive=True, status=EmailStatus.SENT, age_hours=1)
    waiting = _email(sensitive=True, status=EmailStatus.QUEUED, age_hours=100)
    letter = _email(sensitive=False, status=EmailStatus.SENT, age_hours=1000)
    assert email_purge_sensitive() == 2
    left = set(Email.objects.values_list("pk", flat=True))
    assert gone.pk not in left and failed.pk not in left
    assert {fresh.pk, waiting.pk, letter.pk} <= left


def test_the_purge_is_scheduled():
    assert "firstline.mail.tasks.purge_sensitive_emails" in {path for _, path in periodic_jobs()}
