"""The lookup on the real national dataset (loaded once per test session)."""

import pytest

from firstline.residents import selectors

pytestmark = pytest.mark.django_db


def _names(result):
    return [b.jurisdiction.name for b in result.blocks]


def test_houston_zip_has_state_county_city_and_candidate_districts():
    r = selectors.resident_lookup(zip_text="77002")
    assert _names(r) == ["Texas", "Harris County", "Houston city"]
    assert r.county_certain and r.place_certain
    # 77002 touches several districts in each chamber: all are candidates, none chosen.
    assert set(r.chambers) == {"upper", "lower"}
    assert all(len(c) > 1 for c in r.chambers.values())
    assert not r.districts_certain
    assert not any(c.selected for cands in r.chambers.values() for c in cands)
    legislators = [v for cands in r.chambers.values() for c in cands for v in c.offices]
    assert legislators and all(v.holders for v in legislators)
    assert any(v.office.role == "governor" and v.holders for v in r.state.offices)
    # Grades and gaps come from the tracker.
    assert r.state.grade and r.state.gaps
    assert r.county.scorecard_available


def test_picking_a_district_narrows_the_chamber():
    r = selectors.resident_lookup(zip_text="77002")
    pick = r.chambers["lower"][1].district.ocd_id
    r2 = selectors.resident_lookup(zip_text="77002", districts=[pick])
    assert [c.district.ocd_id for c in r2.chambers["lower"]] == [pick]
    assert r2.chambers["lower"][0].selected
    assert len(r2.chambers["upper"]) == len(r.chambers["upper"])


def test_zip_spanning_two_counties_offers_both_most_overlapping_first():
    r = selectors.resident_lookup(zip_text="77444")
    names = [c.jurisdiction.name for c in r.counties]
    assert len(names) >= 2 and "Brazoria County" in names
    weights = [c.weight for c in r.counties]
    assert weights == sorted(weights, reverse=True)
    assert not r.county_certain
    assert r.counties[0].selected and r.county.jurisdiction == r.counties[0].jurisdiction
    # The resident picks the other county: it becomes the county block, and certain.
    other = r.counties[1].jurisdiction
    r2 = selectors.resident_lookup(zip_text="77444", county=other.ocd_id)
    assert r2.county.jurisdiction == other and r2.county_certain


def test_dc_zip_works():
    r = selectors.resident_lookup(zip_text="20001")
    assert r.state.jurisdiction.usps == "DC"
    assert r.state.jurisdiction.name == "District of Columbia"
    assert any(v.office.role == "mayor" for v in r.state.offices)
    assert r.chambers == {}


@pytest.mark.parametrize(
    ("text", "code", "status"),
    [
        ("77001", "not_zcta", 404),  # a Houston PO-box ZIP: no ZCTA
        ("00000", "not_zcta", 404),
        ("7700", "malformed", 400),
        ("77a02", "malformed", 400),
        ("770021", "malformed", 400),
        ("", "missing", 400),
    ],
)
def test_bad_zips_get_clear_errors(text, code, status):
    with pytest.raises(selectors.LookupError_) as info:
        selectors.resident_lookup(zip_text=text)
    assert info.value.code == code and info.value.status == status
    assert info.value.message


def test_zip_plus_four_is_accepted():
    assert selectors.resident_lookup(zip_text="77002-1234").zip == "77002"


def test_place_name_lookup():
    r = selectors.resident_lookup(place_query="Houston, TX")
    assert _names(r) == ["Texas", "Harris County", "Houston city"]
    # Houston County, TX shares the name: offered, not hidden.
    assert any(m.name == "Houston County" for m in r.place_matches)
    r2 = selectors.resident_lookup(
        place_query="Houston, TX", place="ocd-division/country:us/state:tx/county:houston"
    )
    assert _names(r2) == ["Texas", "Houston County"]


def test_unknown_place():
    with pytest.raises(selectors.LookupError_) as info:
        selectors.resident_lookup(place_query="Nowhereville Qq, ZZ")
    assert info.value.code == "no_place"


def test_each_level_lists_its_actual_offices_titled_where_no_holder_is_known():
    # Miami (33130): Miami-Dade's board, sheriff and the 11th Circuit's State Attorney,
    # whose one office covers the county; the city's commission.
    r = selectors.resident_lookup(zip_text="33130")
    county_roles = {v.office.role for v in r.county.offices}
    assert {"county_board", "sheriff", "district_attorney"} <= county_roles
    prosecutor = next(v for v in r.county.offices if v.office.role == "district_attorney")
    assert prosecutor.office.title.startswith("State Attorney")
    assert r.place is not None and "place_board" in {v.office.role for v in r.place.offices}


def test_the_lookup_page_links_missing_holders_to_the_suggestion_form(client):
    page = client.get("/en/find/", {"zip": "77002"})
    html = page.content.decode()
    assert "Harris County Commissioners Court" in html
    assert "/suggest/" in html and "Help fill it in" in html
