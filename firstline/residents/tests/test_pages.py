import pytest

pytestmark = pytest.mark.django_db


def test_lookup_page_posts_and_renders_result(client, django_assert_max_num_queries):
    page = client.get("/en/find/")
    assert page.status_code == 200
    assert 'method="post"' in page.content.decode()
    client.post("/en/find/", {"zip": "77002"})  # warm the per-jurisdiction cache
    with django_assert_max_num_queries(1):  # at most the generation, once a second
        response = client.post("/en/find/", {"zip": "77002"})
    html = response.content.decode()
    for text in (
        "Texas",
        "Harris County",
        ">Houston<",
        "District 147",
        "287(g)",
        "Missing protections",
    ):
        assert text in html
    assert "Houston city" not in html  # the Census name stays in the data
    assert "no-store" in response["Cache-Control"]


def test_zip_result_summarizes_each_level_and_describes_each_gap_once(client):
    import re

    html = client.post("/en/find/", {"zip": "77002"}).content.decode()
    # Each level leads with at most three gaps; the rest is one tap away.
    tops = re.findall(r'<ol class="gaps top">(.*?)</ol>', html, re.S)
    assert len(tops) == 3
    assert all(1 <= t.count("<li>") <= 3 for t in tops)
    assert html.count('<details class="more">') == 3
    # Every gap is described once, in the glossary the levels link to.
    described = re.findall(r'<dt id="gap-([a-z0-9_-]+)">', html)
    assert described and len(described) == len(set(described))
    linked = set(re.findall(r'href="#gap-([a-z0-9_-]+)"', html))
    assert linked == set(described)
    # Several districts, said plainly, with an address-free way to narrow.
    assert "It touches 4 House districts." in html
    assert 'name="district"' in html and "Pick your city, county or district" in html


def test_spanish_result_uses_natural_names(client):
    html = client.post("/es/find/", {"zip": "77002"}).content.decode()
    for text in (
        "condado de Harris",
        "Cámara de Representantes",
        "Senado",
        "Alcalde(sa) de Houston",
    ):
        assert text in html, text
    for english in ("Houston city", "Harris County", ">House", "Mayor of", "capitol"):
        assert english not in html, english


def test_lookup_page_in_spanish(client):
    html = client.post("/es/find/", {"zip": "77002"}).content.decode()
    assert "Condado" in html or "Protecciones que faltan" in html


def test_home_search_redirect_target_works(client):
    response = client.get("/en/find/?zip=20001")
    assert response.status_code == 200
    assert "District of Columbia" in response.content.decode()


@pytest.mark.parametrize("zip_code", ["77001", "abc", "123456"])
def test_lookup_page_errors_are_clear(client, zip_code):
    response = client.post("/en/find/", {"zip": zip_code})
    html = response.content.decode()
    assert 'role="alert"' in html
    assert ("no area for ZIP code" in html) or ("is not a ZIP code" in html)


def test_two_county_zip_offers_a_choice(client):
    html = client.post("/en/find/", {"zip": "77444"}).content.decode()
    assert 'name="county"' in html and "Brazoria County" in html
    assert "covers more than one area" in html


def test_privacy_page_lists_what_is_stored(client):
    html = client.get("/en/find/privacy/").content.decode()
    assert "minimal mode" in html and "count" in html
    html_es = client.get("/es/find/privacy/").content.decode()
    assert "registros públicos" in html_es


def test_no_access_log_in_the_production_runner():
    """The resident pages' privacy claim depends on gunicorn's access log being off."""
    from pathlib import Path

    from django.conf import settings

    source = (
        Path(settings.BASE_DIR) / "firstline/core/management/commands/run_demo.py"
    ).read_text()
    assert "--access-logfile" not in source
