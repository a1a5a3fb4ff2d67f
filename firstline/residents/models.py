"""Residents store nothing about the resident: only aggregate counts.

A message a resident sends becomes one row in the mail outbox (it is the
message itself, addressed to the official) and is handled by
``firstline.residents.services``; what is kept here is how many messages went
to which office, for which campaign, on which day. No ZIP, address, name, email
or IP address is ever written by this app.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class MessageChannel(models.TextChoices):
    EMAIL = "email", _("Email")


class ResidentMessageCount(models.Model):
    """Messages per campaign (or none: written from the lookup page), office and day."""

    day = models.DateField()
    office = models.ForeignKey(
        "officials.Office", on_delete=models.CASCADE, related_name="resident_message_counts"
    )
    campaign_slug = models.SlugField(
        max_length=100,
        blank=True,
        help_text="The campaign whose resident action produced it; blank for the lookup page.",
    )
    channel = models.CharField(
        max_length=10, choices=MessageChannel.choices, default=MessageChannel.EMAIL
    )
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day", "office"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "office", "campaign_slug", "channel"],
                name="resident_message_count_uniq",
            ),
        ]
        indexes = [
            # Campaign dashboards: totals of one campaign by day.
            models.Index(fields=["campaign_slug", "day"], name="resident_count_campaign_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.office_id} {self.campaign_slug or '-'}: {self.count}"
