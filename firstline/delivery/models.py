"""Delivering a campaign's letter: targets, localized copies, the delivery queue,
print packets, and the officials' responses.

Natural keys: ``Target(campaign, office)``; ``LetterCopy(target, language)``;
``Delivery(letter, channel)``; ``DomainWindow(domain, window_start)``.

The exactly-once argument for email is in ``firstline/mail/queue.py``,
``sending.py`` and ``docs/delivery.md``: a Delivery gets its Message-ID when the row is
written, before any worker touches it, so every resend after a crash carries
the same id.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from firstline.campaigns.models import Campaign, Organization
from firstline.geo.models import Jurisdiction
from firstline.officials.models import Office, Role
from firstline.policies.models import Policy, PolicyRecord


class GeographyKind(models.TextChoices):
    ALL = "all", _("Everywhere")
    STATES = "states", _("Chosen states")
    JURISDICTIONS = "jurisdictions", _("Chosen counties or places")


class PolicyCondition(models.TextChoices):
    ANY = "", _("Any policy status")
    IN_FORCE = "in_force", _("Policy in force")
    NOT_IN_FORCE = "not_in_force", _("Policy not in force")


class TargetRule(models.Model):
    """Role x geography x policy status, e.g. "sheriffs of counties with a 287(g) agreement"."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="target_rules")
    roles = models.JSONField(default=list, help_text="Office roles, e.g. ['sheriff'].")
    geography = models.CharField(
        max_length=20, choices=GeographyKind.choices, default=GeographyKind.ALL
    )
    states = models.JSONField(
        default=list, blank=True, help_text="USPS codes when geography is 'states'."
    )
    jurisdictions = models.ManyToManyField(Jurisdiction, blank=True, related_name="+")
    policy = models.ForeignKey(
        Policy, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    policy_condition = models.CharField(
        max_length=20, choices=PolicyCondition.choices, blank=True, default=PolicyCondition.ANY
    )
    min_population = models.PositiveIntegerField(
        null=True, blank=True, help_text="Only jurisdictions with at least this many people."
    )
    language = models.CharField(
        max_length=8, default="en", help_text="Letter language for these targets (en or es)."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["campaign", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(policy_condition="") | models.Q(policy__isnull=False),
                name="target_rule_condition_needs_policy_chk",
            ),
        ]

    def __str__(self) -> str:
        roles = ", ".join(str(Role(r).label) for r in self.roles if r in Role.values)
        return f"{roles} ({self.get_geography_display()})"


class CampaignDelivery(models.Model):
    """Per-campaign delivery state: the frozen target list and the external switch.

    The switch is the second key (besides DELIVERY_MODE) that lets a letter
    leave the machine; who flipped it and when is kept here and in the audit log.
    """

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="delivery")
    targets_frozen_at = models.DateTimeField(null=True, blank=True)
    targets_frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    external_enabled = models.BooleanField(
        default=False, help_text="Letters may reach real officials (with DELIVERY_MODE smtp)."
    )
    external_changed_at = models.DateTimeField(null=True, blank=True)
    external_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    next_pump_at = models.DateTimeField(
        null=True, blank=True, help_text="When the next scheduled delivery pump runs (dedupe)."
    )

    def __str__(self) -> str:
        return f"delivery of {self.campaign}"


class Target(models.Model):
    """A frozen snapshot of one targeted office: who, where, how to reach them."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="+")
    # No choices here: Role belongs to officials, and its list grows there
    # without this app needing a migration each time.
    role = models.CharField(max_length=30)
    usps = models.CharField(max_length=2)
    title = models.CharField(max_length=200)
    holder_name = models.CharField(max_length=200, blank=True)
    email = models.CharField(max_length=254, blank=True)
    postal_address = models.TextField(blank=True)
    language = models.CharField(max_length=8, default="en")
    frozen_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["usps", "role", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "office"], name="target_campaign_office_uniq"
            )
        ]
        indexes = [
            # Accountability page and preview counts: targets of a campaign by state and role.
            models.Index(
                fields=["campaign", "usps", "role"], name="target_campaign_state_role_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.holder_name or _('vacant')})"

    def get_role_display(self) -> str:
        return str(Role(self.role).label) if self.role in Role.values else self.role

    @property
    def addressee(self) -> str:
        return f"{self.holder_name}, {self.title}" if self.holder_name else self.title


class LetterCopy(models.Model):
    """The letter as rendered for one target, frozen at render time."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="letter_copies")
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="letters")
    language = models.CharField(max_length=8, default="en")
    subject = models.CharField(max_length=300)
    html = models.TextField(help_text="The letter body as HTML (email and print share it).")
    text = models.TextField()
    gaps = models.JSONField(
        default=list,
        help_text="Asks put to this office, each with its case (act, harm, blocked) and evidence.",
    )
    in_force = models.JSONField(default=list, help_text="Asks already in force (thank-you lines).")
    reasoning = models.JSONField(
        default=list, help_text="Why each ask landed in its case, or was left out (staff preview)."
    )
    signatories = models.JSONField(
        default=list,
        help_text="The signatory list this copy was rendered with, local ones first.",
    )
    content_hash = models.CharField(max_length=64)
    rendered_at = models.DateTimeField()
    stale = models.BooleanField(
        default=False,
        help_text="The records or the signatories changed after rendering; re-rendered before sending.",
    )
    stale_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["target__usps", "target__title"]
        verbose_name_plural = "letter copies"
        constraints = [
            models.UniqueConstraint(
                fields=["target", "language"], name="letter_target_language_uniq"
            )
        ]
        indexes = [
            # Re-render sweep: stale copies of a campaign.
            models.Index(fields=["campaign", "stale"], name="letter_campaign_stale_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.target} [{self.language}]"


class Channel(models.TextChoices):
    """The built-in channels' keys (the registry is delivery.channels.CHANNELS)."""

    EMAIL = "email", _("Email")
    PRINT = "print", _("Print")


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", pgettext_lazy("delivery status", "Failed")
    BOUNCED = "bounced", _("Bounced")
    PRINTED = "printed", _("Printed, not yet delivered")
    DELIVERED_BY_HAND = "delivered_by_hand", _("Delivered by hand")
    MAILED = "mailed", _("Mailed")


FINAL_STATUSES = (
    DeliveryStatus.SENT,
    DeliveryStatus.FAILED,
    DeliveryStatus.BOUNCED,
    DeliveryStatus.DELIVERED_BY_HAND,
    DeliveryStatus.MAILED,
)


class Delivery(models.Model):
    letter = models.ForeignKey(LetterCopy, on_delete=models.PROTECT, related_name="deliveries")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="deliveries")
    # A key of delivery.channels.CHANNELS; no choices here, so adding a channel
    # is one module and one registry line, without a migration.
    channel = models.CharField(max_length=10)
    status = models.CharField(
        max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    to_address = models.CharField(max_length=254, blank=True)
    domain = models.CharField(max_length=200, blank=True)
    message_id = models.CharField(
        max_length=300, blank=True, help_text="Stamped when the row is written, before sending."
    )
    mode = models.CharField(max_length=10, blank=True, help_text="outbox, smtp or redirect.")
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_token = models.CharField(max_length=32, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_on = models.DateField(null=True, blank=True)
    delivered_by = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pk"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["letter", "channel"], name="delivery_letter_channel_uniq"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in DeliveryStatus]),
                name="delivery_status_valid_chk",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="sending") | models.Q(lease_until__isnull=False),
                name="delivery_sending_has_lease_chk",
            ),
        ]
        indexes = [
            # The pump's claim: due queued email rows of one campaign.
            models.Index(
                fields=["campaign", "channel", "status", "next_attempt_at"],
                name="delivery_claim_idx",
            ),
            # The sweeper: leases that expired (a worker died mid-batch).
            models.Index(fields=["status", "lease_until"], name="delivery_lease_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.letter} {self.channel} {self.status}"


class DomainWindow(models.Model):
    """Messages sent to one recipient domain in one minute: the per-domain rate limit."""

    domain = models.CharField(max_length=200)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["domain", "window_start"], name="domain_window_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.domain} {self.window_start:%H:%M} {self.count}"


class PacketScope(models.TextChoices):
    OFFICE = "office", _("One office")
    COUNTY = "county", _("Merged per county")
    STATE = "state", _("Merged per state")


# A chunk of letters renders in seconds; this long without progress means no worker has it.
PACKET_STALL = timedelta(minutes=10)


class PacketStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    BUILDING = "building", _("Building")
    DONE = "done", _("Ready")
    FAILED = "failed", pgettext_lazy("packet status", "Failed")


class PrintPacket(models.Model):
    """A PDF packet, built by a task (``printing.print_packet_render``): the page
    that asked for it follows ``status`` and the letter counts until it is done."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="print_packets")
    scope = models.CharField(max_length=10, choices=PacketScope.choices)
    jurisdiction = models.ForeignKey(
        Jurisdiction, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    letters = models.ManyToManyField(LetterCopy, related_name="packets")
    pdf = models.FileField(upload_to="delivery/packets/%Y/%m/")
    pages = models.PositiveIntegerField(default=0)
    status = models.CharField(
        max_length=10, choices=PacketStatus.choices, default=PacketStatus.QUEUED
    )
    # Progress is counted in letters: the page count is known only once rendered.
    letters_total = models.PositiveIntegerField(default=0)
    letters_done = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    # Moves with every chunk rendered: a build that stopped moving can be retried.
    updated_at = models.DateTimeField(auto_now=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in PacketStatus]),
                name="printpacket_status_valid_chk",
            ),
            models.CheckConstraint(
                condition=models.Q(letters_done__lte=models.F("letters_total")),
                name="printpacket_done_within_total_chk",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} packet {self.pk}"

    @property
    def finished(self) -> bool:
        return self.status in (PacketStatus.DONE, PacketStatus.FAILED)

    @property
    def stalled(self) -> bool:
        """Queued or building, and not moved for PACKET_STALL (its worker stopped)."""
        return not self.finished and self.updated_at < timezone.now() - PACKET_STALL


class ResponseKind(models.TextChoices):
    REPLIED = "replied", _("Replied")
    MEETING = "meeting", _("Meeting")
    COMMITMENT = "commitment", _("Commitment")
    DECLINED = "declined", _("Declined")
    NO_RESPONSE = "no_response", _("No response")


class Response(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="responses")
    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="responses")
    kind = models.CharField(max_length=12, choices=ResponseKind.choices)
    notes = models.TextField(blank=True)
    attachment = models.FileField(upload_to="delivery/responses/%Y/%m/", blank=True)
    policies = models.ManyToManyField(Policy, blank=True, related_name="+")
    commitment_date = models.DateField(null=True, blank=True)
    records = models.ManyToManyField(
        PolicyRecord, blank=True, related_name="+", help_text="Proposed records it created."
    )
    logged_at = models.DateTimeField(auto_now_add=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-logged_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="commitment") | models.Q(commitment_date__isnull=False),
                name="response_commitment_has_date_chk",
            ),
        ]
        indexes = [
            # Accountability page: latest response per target of a campaign.
            models.Index(
                fields=["campaign", "target", "-logged_at"], name="response_campaign_target_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target}: {self.get_kind_display()}"
