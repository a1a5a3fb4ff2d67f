"""Template filters for names in their natural, localized form (geo.names)."""

from __future__ import annotations

from django import template

from firstline.geo import names

register = template.Library()

register.filter("place_name", names.jurisdiction_display_name)
register.filter("place_name_state", names.jurisdiction_display_with_state)
register.filter("chamber_name", names.district_chamber_name)
register.filter("district_name", names.district_short_name)
