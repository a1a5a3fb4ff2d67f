"""Natural, localized place and district names (issue 17): data keeps the Census names."""

import pytest
from django.utils import translation

from firstline.geo.models import District, Jurisdiction
from firstline.geo.names import (
    district_display_name,
    district_short_name,
    jurisdiction_display_name,
    jurisdiction_display_with_state,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "houston", "harris", "parish", "house"),
    [
        ("en", "Houston", "Harris County", "Orleans Parish", "Texas House District 134"),
        ("es", "Houston", "condado de Harris", "parroquia de Orleans",
         "distrito 134 (Cámara de Representantes de Texas)"),
    ],
)  # fmt: skip
def test_names_in_each_language(language, houston, harris, parish, house):
    city = Jurisdiction.objects.get(ocd_id="ocd-division/country:us/state:tx/place:houston")
    county = Jurisdiction.objects.get(ocd_id="ocd-division/country:us/state:tx/county:harris")
    orleans = Jurisdiction.objects.get(ocd_id="ocd-division/country:us/state:la/parish:orleans")
    district = District.objects.get(ocd_id="ocd-division/country:us/state:tx/sldl:134")
    assert city.name == "Houston city" and county.name == "Harris County"  # the data is untouched
    with translation.override(language):
        assert jurisdiction_display_name(city) == houston
        assert jurisdiction_display_with_state(city) == f"{houston}, TX"
        assert jurisdiction_display_name(county) == harris
        assert jurisdiction_display_name(orleans) == parish
        assert district_display_name(district) == house
        assert district_short_name(district) == (
            "District 134" if language == "en" else "Distrito 134"
        )
