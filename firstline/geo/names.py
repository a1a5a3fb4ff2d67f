"""Place names as a resident says them, in the active language.

The Census names a place "Houston city" and a county "Harris County"; the rows
keep those official names (imports, the API and letters' addresses match on
them). Pages show the natural form: "Houston", and in Spanish "condado de
Harris". The patterns come from the catalogs, so a translator owns the word
order.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext, pgettext_lazy

# A county-equivalent's legal descriptor -> its display pattern (in the catalogs).
COUNTY_PATTERNS = {
    "county": pgettext_lazy("place name", "%(name)s County"),
    "parish": pgettext_lazy("place name", "%(name)s Parish"),
    "borough": pgettext_lazy("place name", "%(name)s Borough"),
    "census area": pgettext_lazy("place name", "%(name)s Census Area"),
    "city and borough": pgettext_lazy("place name", "City and Borough of %(name)s"),
    "municipality": pgettext_lazy("place name", "%(name)s Municipality"),
    "planning region": pgettext_lazy("place name", "%(name)s Planning Region"),
}


def jurisdiction_display_name(jurisdiction: Any) -> str:
    """'Houston', 'Harris County' / 'condado de Harris', 'Texas'."""
    kind = getattr(jurisdiction, "kind", "")
    short = getattr(jurisdiction, "short_name", "") or getattr(jurisdiction, "name", "")
    if kind == "place":
        return str(short)
    if kind == "county":
        pattern = COUNTY_PATTERNS.get(getattr(jurisdiction, "lsad", ""))
        if pattern is not None and short != jurisdiction.name:
            return str(pattern) % {"name": short}
        return str(jurisdiction.name)
    return str(getattr(jurisdiction, "name", ""))


def jurisdiction_display_with_state(jurisdiction: Any) -> str:
    """'Houston, TX' (states alone)."""
    name = jurisdiction_display_name(jurisdiction)
    if getattr(jurisdiction, "kind", "state") == "state":
        return name
    return gettext("%(name)s, %(state)s") % {"name": name, "state": jurisdiction.usps}


# Open States' chamber names -> catalog strings; other names (the Nebraska
# Legislature, the Council of the District of Columbia) are proper names.
CHAMBER_NAMES = {
    "Senate": pgettext_lazy("chamber", "Senate"),
    "House": pgettext_lazy("chamber", "House"),
    "Assembly": pgettext_lazy("chamber", "Assembly"),
    "House of Delegates": pgettext_lazy("chamber", "House of Delegates"),
}


def district_chamber_name(district: Any) -> str:
    """'Senate' / 'Senado', 'House' / 'Cámara de Representantes'."""
    name = getattr(district, "chamber_name", "")
    label = CHAMBER_NAMES.get(name)
    if label is not None:
        return str(label)
    return str(name or district.get_chamber_display())


def district_display_name(district: Any) -> str:
    """'Texas House District 134' / 'distrito 134 (Cámara de Representantes de Texas)'."""
    values = {
        "state": district.state.name,
        "chamber": district_chamber_name(district),
        "district": district.name,
    }
    if _numbered(district.name):
        return gettext("%(state)s %(chamber)s District %(district)s") % values
    return gettext("%(state)s %(chamber)s, %(district)s") % values


def district_short_name(district: Any) -> str:
    """'District 134' / 'Distrito 134'; named districts ('Ward 1') as they are."""
    if _numbered(district.name):
        return gettext("District %(name)s") % {"name": district.name}
    return str(district.name)


def _numbered(name: str) -> bool:
    """'7', '12A': a number, said "District 7"; 'Ward 1' or '1st Franklin' as they are."""
    return name.isdigit() or (len(name) > 1 and name[:-1].isdigit())
