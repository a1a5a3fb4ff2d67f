"""Offices (seats), the people who hold them, their terms and contact points.

An Office exists even when nobody is known to hold it ("Sheriff, Harris
County"), because letters and residents address the seat. Natural keys:
``Office(jurisdiction, role, district, seat)``, ``Person.ocd_person_id``,
``Term(person, office, start_date)``.
"""

from __future__ import annotations

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
    COUNTY_EXECUTIVE = "county_executive", _("County Executive")
    COUNTY_COMMISSIONER = "county_commissioner", _("County Commissioner")
    SHERIFF = "sheriff", _("Sheriff")
    DISTRICT_ATTORNEY = "district_attorney", _("District Attorney")


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
    source = models.CharField(max_length=200, blank=True)

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
        max_length=200, blank=True, help_text="The importer and file this term came from."
    )

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
