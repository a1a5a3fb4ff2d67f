import pytest


@pytest.mark.django_db
def test_home_renders_in_both_languages(client):
    en = client.get("/en/")
    es = client.get("/es/")
    assert en.status_code == 200 and es.status_code == 200
    assert 'lang="en"' in en.content.decode()
    assert 'lang="es"' in es.content.decode()


@pytest.mark.django_db
def test_pages_send_privacy_headers(client):
    response = client.get("/en/privacy/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["Referrer-Policy"] == "same-origin"


def test_production_checks_fail_loudly(settings):
    from firstline.checks import check_production_settings

    settings.FIRSTLINE_ENV = "production"
    settings.SECRET_KEY = "insecure-local-only-key-do-not-use-in-production"
    settings.DEBUG = True
    settings.ALLOWED_HOSTS = []
    settings.FIELD_ENCRYPTION_KEYS = []
    ids = {e.id for e in check_production_settings()}
    assert {"firstline.E001", "firstline.E002", "firstline.E003", "firstline.E004"} <= ids


@pytest.mark.django_db
def test_home_shows_the_sections_the_apps_contribute(client):
    # core's home names no app: policies adds the map and geo the counts
    # (homepage.py in each, rendered by core_tags.page_sections, map first).
    en = client.get("/en/").content.decode()
    assert en.index('<section class="map"') < en.index('<section class="counts"')
    assert "<svg" in en and "ZIP code areas" in en and 'action="/en/search/"' in en
    es = client.get("/es/").content.decode()
    assert "ZIP code areas" not in es and "States and DC" not in es


@pytest.mark.django_db
def test_search_sends_a_zip_to_the_lookup_and_lists_places_by_name(client):
    response = client.get("/en/search/", {"q": "60602"})
    assert response.status_code == 302 and response["Location"].endswith("?zip=60602")
    page = client.get("/en/search/", {"q": "Cook County"}).content.decode()
    assert 'href="/en/j/ocd-division/country:us/state:il/county:cook/"' in page
