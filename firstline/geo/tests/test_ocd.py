"""The OCD id rules, on real Census names."""

from __future__ import annotations

import pytest

from firstline.geo import ocd
from firstline.geo.importers import PlaceRow, place_ocd_ids


@pytest.mark.parametrize(
    ("name", "lsad", "slug"),
    [
        ("Houston city", "25", "houston"),
        ("New York city", "25", "new_york"),
        ("Jefferson City city", "25", "jefferson_city"),  # "City" is part of the name
        ("St. Charles city", "25", "st_charles"),
        ("Helena-West Helena city", "25", "helena_west_helena"),
        ("O'Fallon city", "25", "o_fallon"),
        ("Fifty-Six city", "25", "fifty_six"),
        ("San Buenaventura (Ventura) city", "25", "ventura"),  # the common name, as Open States
        ("Indianapolis city (balance)", "00", "indianapolis"),
        ("Nashville-Davidson metropolitan government (balance)", "00", "nashville"),
        ("Louisville/Jefferson County metro government (balance)", "00", "louisville"),
        ("Athens-Clarke County unified government (balance)", "00", "athens"),
        ("Lexington-Fayette urban county", "UC", "lexington"),
        ("Macon-Bibb County", "00", "macon"),
        ("Carson City", "00", "carson_city"),
        ("Anchorage municipality", "37", "anchorage"),
        ("Juneau city and borough", "53", "juneau"),
        ("Española city", "25", "española"),  # OCD keeps accented letters
        ("Abanda CDP", "57", "abanda"),
        ("Islamorada, Village of Islands village", "47", "islamorada_village_of_islands"),
    ],
)
def test_place_slug(name: str, lsad: str, slug: str) -> None:
    assert ocd.place_slug(name, lsad) == slug


@pytest.mark.parametrize(
    ("name", "independent", "segment"),
    [
        ("Harris County", False, "county:harris"),
        ("Santa Clara County", False, "county:santa_clara"),
        ("St. Clair County", False, "county:st_clair"),
        ("Prince George's County", False, "county:prince_george~s"),  # OCD writes ' as ~
        ("Miami-Dade County", False, "county:miami-dade"),  # and keeps hyphens for counties
        ("Doña Ana County", False, "county:doña_ana"),
        ("Orleans Parish", False, "parish:orleans"),
        ("Matanuska-Susitna Borough", False, "borough:matanuska-susitna"),
        ("Juneau City and Borough", False, "borough:juneau"),
        ("Anchorage Municipality", False, "borough:anchorage"),
        ("Kusilvak Census Area", False, "censusarea:kusilvak"),
        ("Capitol Planning Region", False, "planning_region:capitol"),
        ("Richmond city", True, "county:richmond_city"),  # the city itself is place:richmond
        ("Charles City County", False, "county:charles_city"),
        ("Carson City", True, "county:carson_city"),
        ("District of Columbia", False, "county:district_of_columbia"),
    ],
)
def test_county_segment(name: str, independent: bool, segment: str) -> None:
    assert ocd.county_segment(name, independent_city=independent) == segment


def test_state_ids() -> None:
    assert ocd.state_ocd_id("TX") == "ocd-division/country:us/state:tx"
    assert ocd.state_ocd_id("DC") == "ocd-division/country:us/district:dc"


def _place(
    geoid: str, slug: str, *, incorporated: bool, population: int | None, county: str | None
) -> PlaceRow:
    return PlaceRow(
        geoid=geoid,
        usps="PA",
        slug=slug,
        funcstat="A" if incorporated else "S",
        county_geoids=[county] if county else [],
        values={"incorporated": incorporated, "population": population},
    )


def test_duplicate_place_names_get_deterministic_distinct_ids() -> None:
    prefix = "ocd-division/country:us/state:pa"
    places = [
        _place(
            "4200003", "liberty", incorporated=False, population=90_000, county="42003"
        ),  # big CDP
        _place("4200002", "liberty", incorporated=True, population=2_000, county="42003"),
        _place("4200001", "liberty", incorporated=True, population=100, county="42117"),
        _place(
            "4200004", "liberty", incorporated=True, population=50, county="42117"
        ),  # same county again
        _place("4200005", "liberty", incorporated=True, population=10, county=None),
    ]
    segments = {"42003": "county:allegheny", "42117": "county:tioga"}
    ids, _notes = place_ocd_ids(places, state_ids={"PA": prefix}, county_segments=segments)
    # An incorporated place outranks a larger CDP; then population; then GEOID.
    assert ids["4200002"] == f"{prefix}/place:liberty"
    assert ids["4200001"] == f"{prefix}/county:tioga/place:liberty"
    assert ids["4200004"] == f"{prefix}/place:liberty_4200004"
    assert ids["4200005"] == f"{prefix}/place:liberty_4200005"
    assert ids["4200003"] == f"{prefix}/county:allegheny/place:liberty"
    assert len(set(ids.values())) == len(places)
    # Input order does not matter.
    again, _ = place_ocd_ids(
        list(reversed(places)), state_ids={"PA": prefix}, county_segments=segments
    )
    assert again == ids
