"""Jurisdiction and office pages: real data, both languages, query budgets."""

import re

import pytest
from django.urls import reverse

from firstline.geo.models import Jurisdiction
from firstline.officials.models import Office, Role, Term

pytestmark = pytest.mark.django_db


def _url(ocd_id, lang="en"):
    return f"/{lang}/j/{ocd_id}/"


def _warm(client, url):
    """The first visit stores the page's Scorecard rows; budgets count a later one."""
    client.get(url)
    return url


def test_state_page_lists_offices_holders_contacts_and_counties(
    client, django_assert_max_num_queries
):
    url = _warm(client, _url("ocd-division/country:us/state:tx"))
    with django_assert_max_num_queries(25):
        response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Governor" in html and "Greg Abbott" in html
    assert "Paul Bettencourt" in html and "paul.bettencourt@senate.texas.gov" in html
    assert 'href="/en/j/ocd-division/country:us/state:tx/county:harris/"' in html
    office = Office.objects.get(
        jurisdiction__usps="TX", role=Role.STATE_SENATOR, district__name="7"
    )
    assert f'href="{office.get_absolute_url()}"' in html
    # No third-party assets: Open States image URLs are never shown.
    assert not re.search(r"<img[^>]+src=\"https?://", html)
    assert "house.texas.gov/images" not in html


def test_place_page_breadcrumbs_counties_and_mayor(client, django_assert_max_num_queries):
    houston = Jurisdiction.objects.get(ocd_id="ocd-division/country:us/state:tx/place:houston")
    url = _warm(client, _url(houston.ocd_id))
    with django_assert_max_num_queries(25):
        response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="/en/j/ocd-division/country:us/state:tx/"' in html
    # A city across county lines names every county, the main one first.
    lies_in = html[html.index('id="counties"') :].split("</p>")[0]
    assert re.findall(r">([^<]+ County)</a>", lies_in)[:1] == ["Harris County"]
    assert "Fort Bend County" in lies_in and "Montgomery County" in lies_in
    mayor = Office.objects.get(jurisdiction=houston, role=Role.MAYOR)
    assert f'href="{mayor.get_absolute_url()}"' in html


def test_county_page_links_child_places(client, django_assert_max_num_queries):
    url = _warm(client, _url("ocd-division/country:us/state:tx/county:harris"))
    with django_assert_max_num_queries(25):
        response = client.get(url)
    html = response.content.decode()
    assert 'href="/en/j/ocd-division/country:us/state:tx/place:houston/"' in html
    assert 'id="counties"' not in html  # only a place lists the counties it lies in


def test_office_page_shows_holder_contacts_sources_and_past_holders(
    client, django_assert_max_num_queries
):
    office = Office.objects.get(jurisdiction__usps="TX", role=Role.LT_GOVERNOR)
    with django_assert_max_num_queries(8):
        response = client.get(office.get_absolute_url())
    html = response.content.decode()
    assert "Dan Patrick" in html and "512-463-0001" in html
    assert "https://github.com/openstates/people/blob/" in html  # each contact cites its source
    assert "Aug. 5, 2026" in html  # verified_on

    senate = Office.objects.get(
        jurisdiction__usps="TX", role=Role.STATE_SENATOR, district__name="7"
    )
    # Dan Patrick held TX Senate 7 from 2009 to 2014: a past holder of that seat.
    assert Term.objects.filter(
        office=senate, person__name="Dan Patrick", end_date__isnull=False
    ).exists()
    response = client.get(senate.get_absolute_url())
    html = response.content.decode()
    assert "Past holders" in html and "Dan Patrick" in html and "Paul Bettencourt" in html


def test_vacant_seat_page(client):
    # Every governor has a holder now (the statewide overlay); a sheriff without one is vacant.
    assert (
        not Office.objects.filter(role=Role.GOVERNOR).exclude(terms__end_date__isnull=True).exists()
    )
    office = Office.objects.get(jurisdiction__name="Tarrant County", role=Role.SHERIFF)
    html = client.get(office.get_absolute_url()).content.decode()
    assert "No current holder is known" in html and "Sheriff of Tarrant County" in html
    assert "Suggest a correction" in html


def test_spanish_pages(client):
    html = client.get(_url("ocd-division/country:us/state:tx", "es")).content.decode()
    assert '<h2 id="officials">Funcionarios</h2>' in html and "Senador(a) estatal" in html
    houston = client.get(_url("ocd-division/country:us/state:tx/place:houston", "es"))
    assert "Se encuentra en:" in houston.content.decode()
    office = Office.objects.get(jurisdiction__usps="TX", role=Role.LT_GOVERNOR)
    html = client.get(office.get_absolute_url().replace("/en/", "/es/")).content.decode()
    assert "Titular actual" in html and "Oficina del Capitolio" in html


def test_unknown_ids_are_404(client):
    assert client.get(_url("ocd-division/country:us/state:zz")).status_code == 404
    assert client.get(reverse("officials:office", kwargs={"pk": 10**9})).status_code == 404


def test_routed_jurisdiction_page_reuses_the_offices_include(client):
    html = client.get(_url("ocd-division/country:us/state:tx")).content.decode()
    assert "Greg Abbott" in html and "paul.bettencourt@senate.texas.gov" in html
    assert 'class="data offices"' in html


def test_offices_selector_query_count(django_assert_num_queries):
    from firstline.officials.selectors import offices_for_jurisdiction

    tx = Jurisdiction.objects.get(ocd_id="ocd-division/country:us/state:tx")
    with django_assert_num_queries(
        4
    ):  # offices(+district, jurisdiction), terms(+person), contacts, office contacts
        offices = offices_for_jurisdiction(jurisdiction=tx)
        [t.email for o in offices for t in o.current_terms]
    assert offices[0].role == Role.GOVERNOR
    senate = [o.district.name for o in offices if o.role == Role.STATE_SENATOR]
    assert senate[:3] == ["1", "2", "3"]  # natural order, not 1, 10, 11


def test_admin_changelists(staff_client, django_assert_max_num_queries):
    for model in ("office", "person", "term", "contactpoint"):
        with django_assert_max_num_queries(12):
            response = staff_client.get(f"/admin/officials/{model}/")
        assert response.status_code == 200, model
    office = Office.objects.get(jurisdiction__usps="TX", role=Role.GOVERNOR)
    assert staff_client.get(f"/admin/officials/office/{office.pk}/change/").status_code == 200
