"""The agency matcher on a small hand-made gazetteer: each rule, and the traps the real names set."""

from __future__ import annotations

import pytest

from firstline.policies.matching import Entry, Gazetteer, normalize

ENTRIES = [
    Entry(1, "state", "Louisiana", "LA"),
    Entry(2, "county", "St. Charles Parish", "LA", "22089"),
    Entry(3, "county", "Union Parish", "LA", "22111"),
    Entry(4, "place", "Kenner city", "LA", "2239475", county_ids=(5,)),
    Entry(5, "county", "Jefferson Parish", "LA", "22051"),
    Entry(10, "state", "Virginia", "VA"),
    Entry(11, "county", "Richmond city", "VA", "51760"),
    Entry(12, "county", "Richmond County", "VA", "51159"),
    Entry(13, "place", "Richmond city", "VA", "5167000", county_ids=(11,)),
    Entry(14, "county", "Hopewell city", "VA", "51670"),
    Entry(20, "state", "Florida", "FL"),
    Entry(21, "county", "Duval County", "FL", "12031"),
    Entry(22, "county", "Flagler County", "FL", "12035"),
    Entry(23, "place", "Jacksonville city", "FL", "1235000", county_ids=(21,)),
    Entry(24, "place", "Alachua city", "FL", "1200750", county_ids=(25,)),
    Entry(25, "county", "Alachua County", "FL", "12001"),
    Entry(26, "place", "Melbourne city", "FL", "1243975", population=85000),
    Entry(27, "place", "Melbourne Village town", "FL", "1244000", population=700),
    Entry(28, "place", "Sunny Isles Beach city", "FL", "1269555"),
    Entry(29, "place", "North Port city", "FL", "1249675"),
    Entry(30, "state", "Georgia", "GA"),
    Entry(31, "county", "Bibb County", "GA", "13021"),
    Entry(32, "county", "Macon County", "GA", "13193"),
    Entry(33, "place", "Macon-Bibb County", "GA", "1349008", county_ids=(31,)),
    Entry(40, "state", "Iowa", "IA"),
    Entry(41, "county", "Iowa County", "IA", "19095"),
    Entry(50, "state", "Nevada", "NV"),
    Entry(51, "county", "Clark County", "NV", "32003"),
    Entry(60, "state", "Pennsylvania", "PA"),
    Entry(61, "county", "Allegheny County", "PA", "42003"),
    Entry(62, "place", "Robinson CDP", "PA", "4265432", incorporated=False, county_ids=(99,)),
    Entry(70, "state", "Texas", "TX"),
    Entry(71, "county", "Lampasas County", "TX", "48281"),
    Entry(80, "state", "Oklahoma", "OK"),
    Entry(81, "county", "Texas County", "OK", "40139"),
]  # fmt: skip


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer(ENTRIES)


@pytest.mark.parametrize(
    ("usps", "agency", "type_", "county", "level", "entry_id"),
    [
        # Parishes, with ICE's COUNTY column saying "County".
        ("LA", "Union Parish Sheriff's Office", "County", "Union County", "county", 3),
        # A typo ("Place" for "Parish") and a historic name in the COUNTY column (alias table).
        ("LA", "St. Charles Place Sheriff's Office", "County", "German Coast County", "county", 2),
        ("LA", "Kenner Police Department", "Municipality", "#N/A", "place", 4),
        # Virginia: an independent city's sheriff vs the county of the same name; ICE's wrong "County".
        ("VA", "Richmond City Sheriff's Office", "County", "", "county", 11),
        ("VA", "Richmond County Sheriff's Office", "County", "", "county", 12),
        ("VA", "Hopewell County Sheriff's Office", "County", "Hopewell County", "county", 14),
        ("VA", "Richmond Police Department", "Municipality", "", "place", 13),
        # Consolidated city-counties.
        ("FL", "Jacksonville Sheriff's Office", "County", "Duval County", "county", 21),
        ("GA", "Macon-Bibb County Sheriff's Office", "County", "", "county", 31),
        ("NV", "Las Vegas Metropolitan Police Department", "County", "Clark County", "county", 51),
        # TYPE wrong: a city police department listed as "County".
        ("FL", "Alachua Police Departent", "County", "Alachua County", "place", 24),
        # Misspelt county names.
        ("TX", "Lampass County Sheriff's Office", "County", "Lampass County", "county", 71),
        ("FL", "Flagere County Sheriff's Office", "County", "", "county", 22),
        # A state name inside a county name, in another state.
        ("OK", "Texas County's Sheriff's Office", "County", "Texas County", "county", 81),
        ("IA", "Iowa County Sheriff's Office", "County", "Iowa County", "county", 41),
        ("IA", "Iowa Department of Public Safety", "State Agency", "N/A", "state", 40),
        # Unattached agencies.
        ("FL", "University of Florida Police Department", "State Agency", "#N/A", "other", None),
        ("FL", "Sanford Airport Police Department", "Municipality", "#N/A", "other", None),
        ("FL", "North Port Police Department", "Municipality", "#N/A", "place", 29),
        (
            "PA",
            "Robinson Township Police Department",
            "Municipality",
            "Alleghany County",
            "other",
            None,
        ),
        # Names and places that share a prefix.
        ("FL", "Melbourne Police Department", "Municipality", "#N/A", "place", 26),
        ("FL", "Sunny Isles Police Department", "Municipality", "#N/A", "place", 28),
    ],
)
def test_match(
    gaz: Gazetteer,
    usps: str,
    agency: str,
    type_: str,
    county: str,
    level: str,
    entry_id: int | None,
) -> None:
    match = gaz.match(usps=usps, agency=agency, type_=type_, county=county)
    assert (match.level, match.entry.id if match.entry else None) == (level, entry_id), match


def test_unknown_town_is_unmatched(gaz: Gazetteer) -> None:
    match = gaz.match(usps="LA", agency="Nowhere Police Department", type_="Municipality")
    assert match.level == "unmatched"


def test_state_names_and_normalizing(gaz: Gazetteer) -> None:
    assert gaz.usps_for("LOUISIANA") == "LA"
    assert gaz.usps_for("la") == "LA"
    assert normalize("Sheriff\u2019s Office, St. Mary") == "sheriff office st mary"
