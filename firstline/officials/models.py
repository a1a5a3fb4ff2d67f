"""Offices (seats), the people who hold them, their terms and contact points.

An Office exists even when nobody is known to hold it ("Sheriff, Harris
County"), because letters and residents address the seat. Natural keys:
``Office(jurisdiction, role, district, seat)``, ``Person.ocd_person_id``,
``Term(person, office, start_date)``.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from firstline.geo.models import District, Jurisdiction


class Role(models.TextChoices):
    GOVERNOR = "governor", _("Governor")
    LT_GOVERNOR = "lt_governor", _("Lieutenant Governor")
    ATTORNEY_GENERAL = "attorney_general", _("Attorney General")
    SECRETARY_OF_STATE = "secretary_of_state", _("Secretary of State")
    TREASURER = "treasurer", _("Treasurer")
    AUDITOR = "auditor", _("Auditor")
    CHIEF_ELECTION_OFFICER = "chief_election_officer", _("Chief Election Officer")
    STATEWIDE_OTHER = "statewide_other", _("Statewide officer")
    STATE_SENATOR = "state_senator", _("State Senator")
    STATE_REPRESENTATIVE = "state_representative", _("State Representative")
    LEGISLATOR = "legislator", _("Legislator")
    MAYOR = "mayor", _("Mayor")
    COUNCIL_MEMBER = "council_member", _("Council Member")
    PLACE_BOARD = "place_board", _("City or town council")
    COUNTY_EXECUTIVE = "county_executive", _("County Executive")
    COUNTY_BOARD = "county_board", _("County governing body")
    COUNTY_COMMISSIONER = "county_commissioner", _("County Commissioner")
    SHERIFF = "sheriff", _("Sheriff")
    # The value predates the other titles (State's Attorney, Solicitor...): kept for stored rows.
    DISTRICT_ATTORNEY = "district_attorney", _("Chief prosecutor")


class Office(models.Model):
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="offices")
    role = models.CharField(max_length=30, choices=Role.choices)
    district = models.ForeignKey(
        District, null=True, blank=True, on_delete=models.PROTECT, related_name="offices"
    )
    seat = models.PositiveSmallIntegerField(
        default=1, help_text="1..n for multi-member districts and at-large boards."
    )
    title = models.CharField(
        max_length=200, help_text="How the seat is addressed, e.g. 'Sheriff, Harris County'."
    )
    title_es = models.CharField(
        max_length=200, blank=True, help_text="The title in Spanish, when it differs."
    )
    source = models.CharField(max_length=200, blank=True)
    covers = models.ManyToManyField(
        Jurisdiction,
        blank=True,
        related_name="covering_offices",
        help_text="Every jurisdiction an office serves when it serves several "
        "(a multi-county prosecutorial district); empty when it serves only its own.",
    )

    class Meta:
        ordering = ["jurisdiction__usps", "role", "district__name", "seat"]
        constraints = [
            # Two partial constraints because SQLite has no NULLS NOT DISTINCT.
            models.UniqueConstraint(
                fields=["jurisdiction", "role", "district", "seat"],
                condition=models.Q(district__isnull=False),
                name="office_district_seat_uniq",
            ),
            models.UniqueConstraint(
                fields=["jurisdiction", "role", "seat"],
                condition=models.Q(district__isnull=True),
                name="office_at_large_seat_uniq",
            ),
        ]
        indexes = [
            # Targeting and resident lookup: offices of a role within jurisdictions.
            models.Index(fields=["role", "jurisdiction"], name="office_role_jurisdiction_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("officials:office", kwargs={"pk": self.pk})

    def localized_title(self, language: str) -> str:
        return self.title_es if language == "es" and self.title_es else self.title


class Person(models.Model):
    ocd_person_id = models.CharField(
        max_length=100, unique=True, help_text="ocd-person/<uuid>, or a local id for CSV rosters."
    )
    name = models.CharField(max_length=200)
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    party = models.CharField(max_length=100, blank=True)
    sources = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["family_name", "name"]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.name


class Term(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="terms")
    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="terms")
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True, help_text="Empty while the term is current.")
    # Open States gives a current role's scheduled end ("end_date in the future");
    # it is kept apart so that end_date keeps meaning "this term is over".
    scheduled_end_date = models.DateField(
        null=True, blank=True, help_text="When a current term is due to end."
    )
    end_reason = models.CharField(max_length=200, blank=True)
    source = models.CharField(
        max_length=500, blank=True, help_text="The importer and file this term came from."
    )
    verified_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "office", "start_date"],
                condition=models.Q(start_date__isnull=False),
                name="term_dated_uniq",
            ),
            models.UniqueConstraint(
                fields=["person", "office"],
                condition=models.Q(start_date__isnull=True),
                name="term_undated_uniq",
            ),
        ]
        indexes = [
            # "Current holder" joins: open terms by office.
            models.Index(fields=["office", "end_date"], name="term_office_end_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.office}"

    def unconfirmed_since(self, today: date) -> date | None:
        """The scheduled end, when it has passed and no successor is on record.

        Such a holder is shown as "holder unconfirmed since DATE", not as vacant:
        most are still serving (a late inauguration, a missing update).
        """
        if self.end_date is None and self.scheduled_end_date and self.scheduled_end_date < today:
            return self.scheduled_end_date
        return None


class ContactKind(models.TextChoices):
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    FAX = "fax", _("Fax")
    ADDRESS = "address", _("Postal address")
    WEB = "web", _("Web page")
    WEBFORM = "webform", _("Web form")


class ContactPoint(models.Model):
    """A way to reach a person or, for vacant or shared seats, an office."""

    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="contacts"
    )
    office = models.ForeignKey(
        Office, null=True, blank=True, on_delete=models.CASCADE, related_name="contacts"
    )
    kind = models.CharField(max_length=10, choices=ContactKind.choices)
    value = models.CharField(max_length=500)
    classification = models.CharField(
        max_length=40, blank=True, help_text="capitol, district, primary ..."
    )
    note = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=500, blank=True)
    verified_on = models.DateField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The staff member who accepted it from a roster change.",
    )

    class Meta:
        ordering = ["kind", "classification"]
        constraints = [
            # Exactly one owner: a person, or (for vacant/shared seats) an office.
            models.CheckConstraint(
                condition=models.Q(person__isnull=False, office__isnull=True)
                | models.Q(person__isnull=True, office__isnull=False),
                name="contact_one_owner_chk",
            ),
            models.UniqueConstraint(
                fields=["person", "kind", "classification", "value"],
                condition=models.Q(person__isnull=False),
                name="contact_person_uniq",
            ),
            models.UniqueConstraint(
                fields=["office", "kind", "classification", "value"],
                condition=models.Q(office__isnull=False),
                name="contact_office_uniq",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


class RosterInvite(models.Model):
    """A single-use, expiring link a partner organization uses to fill in its officials.

    The organization is a label and an email, not a foreign key: campaigns sit
    above officials and pass them down. Only the token's SHA-256 is stored.
    """

    jurisdictions = models.ManyToManyField(Jurisdiction, related_name="roster_invites")
    offices = models.ManyToManyField(
        Office,
        blank=True,
        related_name="roster_invites",
        help_text="The offices to fill in; empty means every office of the jurisdictions.",
    )
    organization_name = models.CharField(max_length=200)
    organization_email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.organization_name} ({self.created_at:%Y-%m-%d})"


class RosterChangeStatus(models.TextChoices):
    PENDING = "pending", _("Pending review")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class RosterChange(models.Model):
    """A proposed holder and contacts for one office, from a partner or a resident."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="roster_changes")
    invite = models.ForeignKey(
        RosterInvite,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="changes",
        help_text="Empty for a suggestion from the public form.",
    )
    submitted_by_label = models.CharField(max_length=200, blank=True)
    holder_name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=50, blank=True)
    postal_address = models.CharField(max_length=500, blank=True)
    source_url = models.URLField(max_length=500)
    status = models.CharField(
        max_length=10, choices=RosterChangeStatus.choices, default=RosterChangeStatus.PENDING
    )
    diff = models.JSONField(
        default=dict, blank=True, help_text="field -> [current, proposed] when submitted."
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="pending", reviewed_at__isnull=True)
                | (~models.Q(status="pending") & models.Q(reviewed_at__isnull=False)),
                name="rosterchange_reviewed_chk",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-submitted_at"], name="rosterchange_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.office} <- {self.holder_name or '?'} ({self.status})"
