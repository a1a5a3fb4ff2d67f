"""Sign-on campaigns: the letter, the organizations that co-sign it, their signatures.

Natural keys: ``Campaign.slug``; ``Organization(name_key, home_jurisdiction)``;
``Signature(campaign, organization, email_hash)``. The signature key is what
makes a re-submission of the same organization and contact email update the
existing row instead of adding a second one, even when two requests race
(the database refuses the second insert; see ``signature_submit``).

Contact name and email are personal data: they are stored encrypted
(``firstline.lib.crypto``), never shown publicly and never sent to officials.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from firstline.geo.models import Jurisdiction
from firstline.lib.crypto import EncryptedTextField


class OrganizationType(models.TextChoices):
    NATIONAL = "national", _("National")
    STATE = "state", _("State")
    LOCAL = "local", _("Local")


class Organization(models.Model):
    name = models.CharField(max_length=200)
    name_key = models.CharField(
        max_length=200,
        help_text="Name folded for identity: NFKC, casefolded, punctuation and spacing collapsed.",
    )
    similarity_key = models.CharField(
        max_length=200,
        help_text="Name without filler words ('of', 'the', 'inc'), for near-duplicate detection.",
    )
    website = models.URLField(max_length=300, blank=True)
    type = models.CharField(
        max_length=10, choices=OrganizationType.choices, default=OrganizationType.LOCAL
    )
    home_jurisdiction = models.ForeignKey(
        Jurisdiction, null=True, blank=True, on_delete=models.PROTECT, related_name="organizations"
    )
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_from",
        help_text="Set when staff merged this organization into another; kept for the audit trail.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            # Two partial constraints because SQLite has no NULLS NOT DISTINCT.
            models.UniqueConstraint(
                fields=["name_key", "home_jurisdiction"],
                condition=models.Q(home_jurisdiction__isnull=False),
                name="organization_name_home_uniq",
            ),
            models.UniqueConstraint(
                fields=["name_key"],
                condition=models.Q(home_jurisdiction__isnull=True),
                name="organization_name_nohome_uniq",
            ),
        ]
        indexes = [
            # Near-duplicate check on every new organization: same similarity key.
            models.Index(fields=["similarity_key"], name="organization_similarity_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    COLLECTING = "collecting", _("Collecting signatures")
    DELIVERING = "delivering", _("Delivering")
    CLOSED = "closed", _("Closed")


class Campaign(models.Model):
    title = models.CharField(max_length=200)
    title_es = models.CharField(
        max_length=200, blank=True, help_text="Spanish title; English is used when empty."
    )
    slug = models.SlugField(max_length=80, unique=True)
    summary = models.TextField(blank=True)
    summary_es = models.TextField(blank=True)
    letter_en = models.TextField(
        blank=True,
        help_text="Markdown. Placeholders: {{ official.title }}, {{ official.name }}, "
        "{{ jurisdiction.name }}, {{ gaps }}, {{ signatory_count }}.",
    )
    letter_es = models.TextField(blank=True, help_text="Spanish letter, same placeholders.")
    asks = models.ManyToManyField("policies.Policy", blank=True, related_name="campaigns")
    languages = models.JSONField(
        default=list, blank=True, help_text='Letter languages, e.g. ["en", "es"].'
    )
    opens_at = models.DateTimeField(
        null=True, blank=True, help_text="Sign-on opens (empty: when collecting starts)."
    )
    closes_at = models.DateTimeField(
        null=True, blank=True, help_text="Sign-on closes (empty: when staff close it)."
    )
    organizer = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organized_campaigns",
    )
    status = models.CharField(
        max_length=12, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    # Who answers for the campaign: named in every letter and used as its Reply-To,
    # while the envelope sender stays the platform's own verified address.
    reply_name = models.CharField(max_length=200, blank=True, help_text="Reply contact's name.")
    reply_organization = models.CharField(
        max_length=200, blank=True, help_text="Reply contact's organization."
    )
    reply_email = models.EmailField(
        blank=True, help_text="Letters' Reply-To; officials' replies go here, outside the app."
    )
    reply_phone = models.CharField(max_length=40, blank=True, help_text="Reply contact's phone.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in CampaignStatus]),
                name="campaign_status_valid_chk",
            ),
            models.CheckConstraint(
                condition=models.Q(opens_at__isnull=True)
                | models.Q(closes_at__isnull=True)
                | models.Q(closes_at__gt=models.F("opens_at")),
                name="campaign_window_order_chk",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("campaigns:detail", kwargs={"slug": self.slug})

    def localized_title(self) -> str:
        return self.title_es if get_language() == "es" and self.title_es else self.title

    def localized_summary(self) -> str:
        return self.summary_es if get_language() == "es" and self.summary_es else self.summary

    def letter_for(self, language: str) -> str:
        return self.letter_es if language == "es" and self.letter_es else self.letter_en


class SignatureStatus(models.TextChoices):
    PENDING = "pending", _("Pending email confirmation")
    VERIFIED = "verified", _("Email confirmed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class SignatureSource(models.TextChoices):
    FORM = "form", _("Sign-on form")
    IMPORT = "import", _("Imported")


class Signature(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="signatures")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="signatures"
    )
    status = models.CharField(
        max_length=10, choices=SignatureStatus.choices, default=SignatureStatus.PENDING
    )
    source = models.CharField(
        max_length=10, choices=SignatureSource.choices, default=SignatureSource.FORM
    )
    contact_name = EncryptedTextField(blank=True, help_text="Encrypted at rest; never public.")
    contact_email = EncryptedTextField(help_text="Encrypted at rest; never public.")
    email_hash = models.CharField(
        max_length=64, help_text="HMAC-SHA256 of the normalized email (lib/crypto.py)."
    )
    contact_role = models.CharField(max_length=120, blank=True)
    language = models.CharField(max_length=8, default="en")
    submit_count = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    near_duplicate_of = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Another organization whose name looks the same; staff should merge or dismiss.",
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "organization", "email_hash"],
                name="signature_campaign_org_email_uniq",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in SignatureStatus]),
                name="signature_status_valid_chk",
            ),
        ]
        indexes = [
            # Public page: approved signatures of one campaign (and the count).
            models.Index(fields=["campaign", "status"], name="signature_campaign_status_idx"),
            # Purge job: pending signatures older than SIGNATURE_PURGE_DAYS.
            models.Index(fields=["status", "created_at"], name="signature_status_created_idx"),
            # Per-email rate limit and "signatures by this contact" lookups.
            models.Index(fields=["email_hash"], name="signature_email_hash_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} — {self.campaign} ({self.status})"
