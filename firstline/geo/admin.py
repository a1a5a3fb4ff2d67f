"""Staff admin for geography. Rows come from the importers; edits here are for fixes
that a re-import would otherwise not make, so the big link tables stay read-mostly."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from firstline.geo.models import District, Jurisdiction, Zcta, ZctaDistrict, ZctaJurisdiction


class ZctaJurisdictionInline(admin.TabularInline):
    model = ZctaJurisdiction
    fk_name = "zcta"
    raw_id_fields = ["jurisdiction"]
    extra = 0
    ordering = ["-weight"]
    fields = ["jurisdiction", "land_area_sqmi", "weight"]


class ZctaDistrictInline(admin.TabularInline):
    model = ZctaDistrict
    raw_id_fields = ["district"]
    extra = 0


@admin.register(Jurisdiction)
class JurisdictionAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "usps", "geoid", "ocd_id", "incorporated", "population"]
    list_filter = ["kind", "incorporated", "usps", "lsad"]
    search_fields = ["name", "short_name", "ocd_id", "=geoid"]
    list_select_related = ["state"]
    raw_id_fields = ["state", "county", "counties"]
    readonly_fields = ["geoid"]
    ordering = ["usps", "kind", "name"]
    show_full_result_count = False  # COUNT(*) over 35k rows on every page is wasted work.

    def get_queryset(self, request: HttpRequest) -> QuerySet[Jurisdiction]:
        return super().get_queryset(request).select_related("state", "county")


@admin.register(Zcta)
class ZctaAdmin(admin.ModelAdmin):
    list_display = ["code", "state", "population", "land_area_sqmi"]
    list_filter = ["state__usps"]
    search_fields = ["=code", "code"]
    list_select_related = ["state"]
    raw_id_fields = ["state"]
    inlines = [ZctaJurisdictionInline, ZctaDistrictInline]
    show_full_result_count = False


@admin.register(ZctaJurisdiction)
class ZctaJurisdictionAdmin(admin.ModelAdmin):
    list_display = ["zcta", "jurisdiction", "jurisdiction_kind", "land_area_sqmi", "weight"]
    list_filter = ["jurisdiction__kind", "jurisdiction__usps"]
    search_fields = ["=zcta__code", "jurisdiction__name", "jurisdiction__ocd_id"]
    list_select_related = ["zcta", "jurisdiction"]
    raw_id_fields = ["zcta", "jurisdiction"]
    show_full_result_count = False

    @admin.display(description="kind", ordering="jurisdiction__kind")
    def jurisdiction_kind(self, obj: ZctaJurisdiction) -> Any:
        return obj.jurisdiction.get_kind_display()


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "state",
        "chamber",
        "chamber_name",
        "num_seats",
        "census_code",
        "ocd_id",
    ]
    list_filter = ["chamber", "state__usps"]
    search_fields = ["name", "ocd_id", "census_code"]
    list_select_related = ["state"]
    raw_id_fields = ["state"]


@admin.register(ZctaDistrict)
class ZctaDistrictAdmin(admin.ModelAdmin):
    list_display = ["zcta", "district"]
    list_filter = ["district__chamber", "district__state__usps"]
    search_fields = ["=zcta__code", "district__name", "district__ocd_id"]
    list_select_related = ["zcta", "district", "district__state"]
    raw_id_fields = ["zcta", "district"]
    show_full_result_count = False
