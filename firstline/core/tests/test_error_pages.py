"""Error pages are localized and styled (issue 17): a Spanish visitor who follows
a dead link reads Spanish, inside the site's frame."""

import pytest
from django.conf.urls.i18n import i18n_patterns
from django.test import Client
from django.urls import path

pytestmark = pytest.mark.django_db


def test_404_is_localized_and_styled(client):
    for lang, heading, english in (
        ("en", "Page not found", None),
        ("es", "Página no encontrada", "Page not found"),
    ):
        response = client.get(f"/{lang}/no-such-page/")
        assert response.status_code == 404
        html = response.content.decode()
        assert heading in html and "css/firstline" in html and 'class="site"' in html
        assert f'<html lang="{lang}">' in html
        if english:
            assert english not in html


def _boom(request):
    raise RuntimeError("boom")


urlpatterns = i18n_patterns(path("boom/", _boom))


def test_500_is_localized_and_styled(settings):
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    response = client.get("/es/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Algo salió mal" in html and "css/firstline" in html
