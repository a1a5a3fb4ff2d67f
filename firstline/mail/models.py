"""The durable outbox for transactional email (sign-on verification, notices).

A row is written first, in the same transaction as whatever caused it; a task
then loads it by id and sends it. In ``outbox`` mode the row itself is the
delivered copy, viewable by staff. Rows marked ``sensitive`` (they hold a
private person's address) have their recipient and bodies blanked after
sending, and are deleted by the purge task. Claiming, leasing and recording
go through ``firstline.mail.queue``, shared with delivery's letters.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from firstline.mail.transport import new_message_id


class EmailStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", pgettext_lazy("email status", "Failed")


class Email(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    kind = models.CharField(max_length=40, help_text="What produced it, e.g. 'signature_verify'.")
    status = models.CharField(
        max_length=10, choices=EmailStatus.choices, default=EmailStatus.QUEUED
    )
    mode = models.CharField(
        max_length=10, blank=True, help_text="outbox, smtp or redirect: how it was delivered."
    )
    to = models.TextField(
        help_text="Comma-separated recipients; blanked after sending when sensitive."
    )
    from_email = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=300)
    text = models.TextField()
    html = models.TextField(blank=True)
    language = models.CharField(max_length=8, default="en")
    sensitive = models.BooleanField(default=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_token = models.CharField(max_length=32, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    message_id = models.CharField(
        max_length=300,
        blank=True,
        default=new_message_id,
        help_text="Stamped when the row is written, so every attempt carries the same one.",
    )
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The retry sweeper: queued rows whose next attempt is due.
            models.Index(fields=["status", "next_attempt_at"], name="email_status_next_idx"),
            # The lease sweeper: rows whose worker died mid-send.
            models.Index(fields=["status", "lease_until"], name="email_lease_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.status} {self.subject[:40]}"
