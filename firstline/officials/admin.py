"""Staff admin for offices, people, terms and contact points.

Foreign keys into big tables (jurisdictions, districts, people, offices) use
raw id widgets: a select of 50,000 jurisdictions would make every form unusable.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest

from firstline.officials.models import ContactPoint, Office, Person, Term


class TermInline(admin.TabularInline):
    model = Term
    extra = 0
    raw_id_fields = ["person", "office"]
    fields = [
        "person",
        "office",
        "start_date",
        "end_date",
        "scheduled_end_date",
        "end_reason",
        "source",
    ]
    ordering = ["-start_date"]


class ContactPointInline(admin.TabularInline):
    model = ContactPoint
    extra = 0
    fields = ["kind", "classification", "value", "note", "source", "verified_on"]


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["title", "role", "jurisdiction", "district", "seat", "holders"]
    list_filter = ["role", "jurisdiction__kind", "jurisdiction__usps"]
    search_fields = ["title", "jurisdiction__name", "jurisdiction__ocd_id", "district__name"]
    list_select_related = ["jurisdiction", "district__state"]
    raw_id_fields = ["jurisdiction", "district"]
    inlines = [TermInline, ContactPointInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Office]:
        # One aggregate instead of a query per row for the holders column.
        return (
            super()
            .get_queryset(request)
            .annotate(current_holders=Count("terms", filter=Q(terms__end_date__isnull=True)))
        )

    @admin.display(description="current holders", ordering="current_holders")
    def holders(self, obj: Any) -> int:
        return int(obj.current_holders)


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "party", "ocd_person_id"]
    search_fields = ["name", "family_name", "ocd_person_id"]
    list_filter = ["party"]
    inlines = [TermInline, ContactPointInline]


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    list_display = [
        "person",
        "office",
        "start_date",
        "end_date",
        "scheduled_end_date",
        "end_reason",
    ]
    list_filter = [("end_date", admin.EmptyFieldListFilter), "office__role"]
    search_fields = ["person__name", "office__title"]
    list_select_related = ["person", "office"]
    raw_id_fields = ["person", "office"]
    date_hierarchy = "start_date"


@admin.register(ContactPoint)
class ContactPointAdmin(admin.ModelAdmin):
    list_display = ["value", "kind", "classification", "person", "office", "verified_on"]
    list_filter = ["kind", "classification"]
    search_fields = ["value", "person__name", "office__title"]
    list_select_related = ["person", "office"]
    raw_id_fields = ["person", "office"]
