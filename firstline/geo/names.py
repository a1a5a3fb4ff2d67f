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


# The states' and DC's names, as the catalogs give them ("Nueva York",
# "Carolina del Norte"); the rows keep the official English name.
STATE_NAMES = {
    "Alabama": pgettext_lazy("state name", "Alabama"),
    "Alaska": pgettext_lazy("state name", "Alaska"),
    "Arizona": pgettext_lazy("state name", "Arizona"),
    "Arkansas": pgettext_lazy("state name", "Arkansas"),
    "California": pgettext_lazy("state name", "California"),
    "Colorado": pgettext_lazy("state name", "Colorado"),
    "Connecticut": pgettext_lazy("state name", "Connecticut"),
    "Delaware": pgettext_lazy("state name", "Delaware"),
    "District of Columbia": pgettext_lazy("state name", "District of Columbia"),
    "Florida": pgettext_lazy("state name", "Florida"),
    "Georgia": pgettext_lazy("state name", "Georgia"),
    "Hawaii": pgettext_lazy("state name", "Hawaii"),
    "Idaho": pgettext_lazy("state name", "Idaho"),
    "Illinois": pgettext_lazy("state name", "Illinois"),
    "Indiana": pgettext_lazy("state name", "Indiana"),
    "Iowa": pgettext_lazy("state name", "Iowa"),
    "Kansas": pgettext_lazy("state name", "Kansas"),
    "Kentucky": pgettext_lazy("state name", "Kentucky"),
    "Louisiana": pgettext_lazy("state name", "Louisiana"),
    "Maine": pgettext_lazy("state name", "Maine"),
    "Maryland": pgettext_lazy("state name", "Maryland"),
    "Massachusetts": pgettext_lazy("state name", "Massachusetts"),
    "Michigan": pgettext_lazy("state name", "Michigan"),
    "Minnesota": pgettext_lazy("state name", "Minnesota"),
    "Mississippi": pgettext_lazy("state name", "Mississippi"),
    "Missouri": pgettext_lazy("state name", "Missouri"),
    "Montana": pgettext_lazy("state name", "Montana"),
    "Nebraska": pgettext_lazy("state name", "Nebraska"),
    "Nevada": pgettext_lazy("state name", "Nevada"),
    "New Hampshire": pgettext_lazy("state name", "New Hampshire"),
    "New Jersey": pgettext_lazy("state name", "New Jersey"),
    "New Mexico": pgettext_lazy("state name", "New Mexico"),
    "New York": pgettext_lazy("state name", "New York"),
    "North Carolina": pgettext_lazy("state name", "North Carolina"),
    "North Dakota": pgettext_lazy("state name", "North Dakota"),
    "Ohio": pgettext_lazy("state name", "Ohio"),
    "Oklahoma": pgettext_lazy("state name", "Oklahoma"),
    "Oregon": pgettext_lazy("state name", "Oregon"),
    "Pennsylvania": pgettext_lazy("state name", "Pennsylvania"),
    "Rhode Island": pgettext_lazy("state name", "Rhode Island"),
    "South Carolina": pgettext_lazy("state name", "South Carolina"),
    "South Dakota": pgettext_lazy("state name", "South Dakota"),
    "Tennessee": pgettext_lazy("state name", "Tennessee"),
    "Texas": pgettext_lazy("state name", "Texas"),
    "Utah": pgettext_lazy("state name", "Utah"),
    "Vermont": pgettext_lazy("state name", "Vermont"),
    "Virginia": pgettext_lazy("state name", "Virginia"),
    "Washington": pgettext_lazy("state name", "Washington"),
    "West Virginia": pgettext_lazy("state name", "West Virginia"),
    "Wisconsin": pgettext_lazy("state name", "Wisconsin"),
    "Wyoming": pgettext_lazy("state name", "Wyoming"),
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
    name = getattr(jurisdiction, "name", "")
    return str(STATE_NAMES.get(name, name))


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
        "state": jurisdiction_display_name(district.state),
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
