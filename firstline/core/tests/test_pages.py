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
