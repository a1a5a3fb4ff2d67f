"""Jurisdictions (state, county, place), ZCTAs and state legislative districts.

Natural keys: ``Jurisdiction.ocd_id``; ``(kind, geoid)`` is unique too.
``Zcta.code``; ``District.ocd_id``. Links from ZCTAs carry the land area of
the overlap and its share of the ZCTA, so a lookup can rank candidates.
"""

from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class JurisdictionKind(models.TextChoices):
    STATE = "state", _("State")
    COUNTY = "county", _("County")
    PLACE = "place", _("City or town")


class Jurisdiction(models.Model):
    ocd_id = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=10, choices=JurisdictionKind.choices)
    name = models.CharField(
        max_length=200, help_text="Full name as the Census writes it, e.g. 'Harris County'."
    )
    short_name = models.CharField(
        max_length=200, help_text="Name without the legal suffix, e.g. 'Harris'."
    )
    geoid = models.CharField(
        max_length=10, help_text="Census GEOID: 2 digits for states, 5 for counties, 7 for places."
    )
    usps = models.CharField(max_length=2, help_text="Two-letter postal code of the state.")
    state = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="state_members",
        help_text="The state this county or place is in; empty for states.",
    )
    county = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="primary_places",
        help_text="For a place: the county holding most of it (the first listed by the Census).",
    )
    counties = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="places",
        help_text="For a place: every county it lies in.",
    )
    lsad = models.CharField(
        max_length=40,
        blank=True,
        help_text="Legal/statistical area description, e.g. 'city', 'parish'.",
    )
    incorporated = models.BooleanField(
        default=True, help_text="False for census-designated places (no government of their own)."
    )
    population = models.PositiveIntegerField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    land_area_sqmi = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["usps", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "geoid"], name="jurisdiction_kind_geoid_uniq"),
            models.CheckConstraint(
                condition=models.Q(kind="state", state__isnull=True)
                | (~models.Q(kind="state") & models.Q(state__isnull=False)),
                name="jurisdiction_state_parent_chk",
            ),
        ]
        indexes = [
            # Children listings on state and county pages: kind within a state, by name.
            models.Index(fields=["state", "kind", "name"], name="jurisdiction_state_kind_idx"),
            # Name search on the home page and resident lookup by place name.
            models.Index(fields=["short_name"], name="jurisdiction_short_name_idx"),
        ]

    def __str__(self) -> str:
        if self.kind == JurisdictionKind.STATE:
            return self.name
        return f"{self.name}, {self.usps}"

    def get_absolute_url(self) -> str:
        return reverse("jurisdiction", kwargs={"ocd_id": self.ocd_id})


class Zcta(models.Model):
    """A ZIP Code Tabulation Area: the Census's approximation of a ZIP code."""

    code = models.CharField(max_length=5, unique=True)
    state = models.ForeignKey(Jurisdiction, null=True, on_delete=models.PROTECT, related_name="+")
    population = models.PositiveIntegerField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    land_area_sqmi = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class ZctaJurisdiction(models.Model):
    """A ZCTA's overlap with a county or place, weighted by land area."""

    zcta = models.ForeignKey(Zcta, on_delete=models.CASCADE, related_name="jurisdiction_links")
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.CASCADE, related_name="zcta_links"
    )
    land_area_sqmi = models.FloatField(default=0)
    weight = models.FloatField(
        default=0, help_text="Share of the ZCTA's land in this jurisdiction, 0-1."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["zcta", "jurisdiction"], name="zcta_jurisdiction_uniq")
        ]

    def __str__(self) -> str:
        return f"ZCTA {self.zcta_id} -> jurisdiction {self.jurisdiction_id} ({self.weight:.0%})"


class Chamber(models.TextChoices):
    UPPER = "upper", _("Senate")
    LOWER = "lower", _("House / Assembly")
    UNICAMERAL = "unicameral", _("Legislature")


class District(models.Model):
    """A state legislative district as Open States names it (districts.csv)."""

    ocd_id = models.CharField(max_length=200, unique=True)
    state = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="districts")
    chamber = models.CharField(max_length=10, choices=Chamber.choices)
    chamber_name = models.CharField(max_length=100, blank=True)
    title = models.CharField(
        max_length=100, blank=True, help_text="Title of a member, e.g. 'Senator'."
    )
    name = models.CharField(max_length=100, help_text="District name as Open States uses it.")
    census_code = models.CharField(
        max_length=20, blank=True, help_text="Census SLD code, where mapped."
    )
    num_seats = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["state__usps", "chamber", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["state", "chamber", "name"], name="district_state_chamber_name_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.state.usps} {self.get_chamber_display()} {self.name}"


class ZctaDistrict(models.Model):
    """A ZCTA touching a district (the Census lists every touch, no area threshold)."""

    zcta = models.ForeignKey(Zcta, on_delete=models.CASCADE, related_name="district_links")
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="zcta_links")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["zcta", "district"], name="zcta_district_uniq")
        ]

    def __str__(self) -> str:
        return f"ZCTA {self.zcta_id} -> district {self.district_id}"
