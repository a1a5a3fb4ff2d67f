"""Read-side helpers over the loaded national data."""

from __future__ import annotations

import pytest
from django.utils import translation

from firstline.geo import selectors
from firstline.geo.models import Jurisdiction, JurisdictionKind

pytestmark = pytest.mark.django_db


def pk(ocd_id: str) -> int:
    return Jurisdiction.objects.get(ocd_id=ocd_id).pk


def test_open_states_ids_resolve_exactly_or_by_known_variants(
    django_assert_max_num_queries,
) -> None:
    ids = [
        "ocd-jurisdiction/country:us/state:tx/place:houston/government",  # exact
        "ocd-division/country:us/state:ny/place:new_york",  # division ids pass through
        "ocd-jurisdiction/country:us/state:mn/place:saint_paul/government",  # St. Paul
        "ocd-jurisdiction/country:us/state:md/place:greenbelt_/government",  # stray underscore
        "ocd-jurisdiction/country:us/state:id/place:boise/government",  # "Boise City city"
        "ocd-jurisdiction/country:us/state:va/place:chesterfield_county/government",  # a county government
        "ocd-jurisdiction/country:us/state:mo/place:lees_summit/government",  # Lee's Summit
        "ocd-jurisdiction/country:us/state:nj/place:woodbridge_township/government",  # a township: not a place
        "ocd-jurisdiction/country:us/state:nj/place:edison/government",  # not a Census place at all
    ]
    with django_assert_max_num_queries(2):
        found = selectors.jurisdiction_pks_by_ocd_id(ocd_ids=ids)
    prefix = "ocd-division/country:us/state:"
    assert found[ids[0]] == pk(prefix + "tx/place:houston")
    assert found[ids[1]] == pk(prefix + "ny/place:new_york")
    assert found[ids[2]] == pk(prefix + "mn/place:st_paul")
    assert found[ids[3]] == pk(prefix + "md/place:greenbelt")
    assert found[ids[4]] == pk(prefix + "id/place:boise_city")
    assert found[ids[5]] == pk(prefix + "va/county:chesterfield")
    assert found[ids[6]] == pk(prefix + "mo/place:lee_s_summit")
    # Woodbridge CDP lies inside Woodbridge Township but has no government: no guess.
    assert ids[7] not in found
    assert ids[8] not in found


def test_national_counts_and_children() -> None:
    counts = selectors.national_counts()
    assert counts["state"] == 51 and counts["county"] >= 3140 and counts["place"] >= 19000
    assert counts["zctas"] == 33791
    texas = Jurisdiction.objects.get(ocd_id="ocd-division/country:us/state:tx")
    assert selectors.jurisdiction_children(jurisdiction=texas).count() == 254
    harris = Jurisdiction.objects.get(kind=JurisdictionKind.COUNTY, geoid="48201")
    children = list(selectors.jurisdiction_children(jurisdiction=harris)[:3])
    assert children[0].geoid == "4835000" and all(c.incorporated for c in children)


def test_search_finds_the_city_before_namesakes() -> None:
    results = list(selectors.jurisdiction_search(query="Houston, TX"))
    assert results[0].geoid == "4835000"
    assert not any(r.incorporated is False for r in selectors.jurisdiction_search(query="Houston"))


def test_kind_labels_are_translated() -> None:
    with translation.override("es"):
        assert str(JurisdictionKind.COUNTY.label) == "Condado"
