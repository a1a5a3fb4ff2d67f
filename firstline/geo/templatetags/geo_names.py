"""Template filters for place names in their natural, localized form (geo.names)."""

from __future__ import annotations

from typing import Any

from django import template

from firstline.geo.names import (
    district_chamber_name,
    district_short_name,
    jurisdiction_display_name,
    jurisdiction_display_with_state,
)

register = template.Library()


@register.filter
def place_name(jurisdiction: Any) -> str:
    return jurisdiction_display_name(jurisdiction)


@register.filter
def place_name_state(jurisdiction: Any) -> str:
    return jurisdiction_display_with_state(jurisdiction)


@register.filter
def chamber_name(district: Any) -> str:
    return district_chamber_name(district)


@register.filter
def district_name(district: Any) -> str:
    return district_short_name(district)
