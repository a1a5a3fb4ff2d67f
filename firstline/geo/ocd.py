"""Open Civic Data division ids for Census geographies.

The rules (documented in ``docs/geo.md``) follow the OCD repository
(``opencivicdata/ocd-division-ids``) for states and counties, and Open States'
``municipalities.yml`` for places, because places are where we join with
Open States people:

* lowercase; whitespace, ``/`` and ``,`` become ``_``; periods are dropped;
  accented letters stay.
* counties keep hyphens and write an apostrophe as ``~`` (OCD's
  ``borough:matanuska-susitna``, ``county:prince_george~s``); places turn both
  into ``_`` (Open States' ``place:helena_west_helena``, ``place:o_fallon``).
* the legal suffix is dropped and picks the division type: ``county:``,
  ``parish:`` (LA), ``borough:`` / ``censusarea:`` (AK), ``planning_region:`` (CT).
"""

from __future__ import annotations

import re
import unicodedata

COUNTRY = "ocd-division/country:us"

# Census county-equivalent name suffix -> OCD division type. Longest first so
# "City and Borough" wins over "Borough".
COUNTY_SUFFIXES: list[tuple[str, str]] = [
    (" City and Borough", "borough"),
    (" Planning Region", "planning_region"),
    (" Census Area", "censusarea"),
    (" Municipality", "borough"),
    (" Borough", "borough"),
    (" County", "county"),
    (" Parish", "parish"),
]

# Census place LSAD code -> the descriptor the Census appends to the name.
PLACE_LSAD: dict[str, str] = {
    "21": "borough",
    "25": "city",
    "37": "municipality",
    "43": "town",
    "47": "village",
    "53": "city and borough",
    "55": "comunidad",
    "57": "CDP",
    "62": "zona urbana",
    "CG": "consolidated government",
    "CN": "corporation",
    "MG": "metropolitan government",
    "UC": "urban county",
    "UG": "unified government",
    "00": "",
}
# A consolidated city-county government (LSAD 00/CG/MG/UC/UG) is known by its
# city: "Nashville-Davidson metropolitan government (balance)" -> nashville,
# "Louisville/Jefferson County metro government (balance)" -> louisville.
CONSOLIDATED_LSADS = {"00", "CG", "MG", "UC", "UG"}
_CONSOLIDATED_TAILS = re.compile(
    r"\s+(city|metro government|metropolitan government|unified government|consolidated government|urban county)$"
)
_PAREN = re.compile(r"^(?P<legal>.*?)\s*\((?P<common>[^)]*)\)\s*(?P<rest>.*)$")


def state_ocd_id(usps: str) -> str:
    usps = usps.lower()
    # DC is a district, not a state, in OCD.
    return f"{COUNTRY}/district:dc" if usps == "dc" else f"{COUNTRY}/state:{usps}"


def ocd_slug(name: str, *, hyphen: str = "-", apostrophe: str = "~") -> str:
    text = unicodedata.normalize("NFC", name).strip().lower()
    text = text.replace("\u2019", "'").replace("'", apostrophe).replace(".", "")
    text = text.replace("-", hyphen)
    text = re.sub(r"[\s/,]+", "_", text)
    text = re.sub(r"[^\w~-]", "", text)
    return re.sub(r"_+", "_", text).strip("_")


def county_parts(name: str, *, independent_city: bool) -> tuple[str, str, str]:
    """(division type, short name, lsad) for a Census county-equivalent name.

    An independent city ("Richmond city", VA; also Baltimore and St. Louis)
    keeps "city" in its slug: OCD gives ``place:richmond`` to the city, which we
    store as the place row, so the county-equivalent row becomes
    ``county:richmond_city`` and can never collide with Richmond County.
    """
    if independent_city and name.endswith(" city"):
        return "county", name, "city"
    for suffix, kind in COUNTY_SUFFIXES:
        if name.endswith(suffix):
            return kind, name[: -len(suffix)], suffix.strip().lower()
    return "county", name, ""


def county_segment(name: str, *, independent_city: bool) -> str:
    kind, short, _ = county_parts(name, independent_city=independent_city)
    return f"{kind}:{ocd_slug(short)}"


def place_short_name(name: str, lsad: str) -> str:
    """The place's name without the Census descriptor: 'Houston city' -> 'Houston'."""
    name = name.replace(" (balance)", "")
    descriptor = PLACE_LSAD.get(lsad, "")
    if descriptor and name.endswith(" " + descriptor):
        name = name[: -len(descriptor) - 1]
    if lsad in CONSOLIDATED_LSADS:
        name = _CONSOLIDATED_TAILS.sub("", name)
    return name


def place_slug(name: str, lsad: str) -> str:
    """The Open States-style slug of a Census place name."""
    short = place_short_name(name, lsad)
    match = _PAREN.match(short)
    if match:
        # The Census writes "Legal name (common name)": San Buenaventura (Ventura).
        short = f"{match['common']} {match['rest']}".strip()
    if lsad in CONSOLIDATED_LSADS:
        short = re.split(r"\s*[-/,]\s*", short, maxsplit=1)[0]
    return ocd_slug(short, hyphen="_", apostrophe="_")
