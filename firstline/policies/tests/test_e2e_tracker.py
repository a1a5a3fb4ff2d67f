"""The tracker in a real browser against the production server: map → county → evidence → Spanish."""

from __future__ import annotations

import re

import pytest

from firstline import testing


@pytest.mark.e2e
def test_home_map_to_county_scorecard_and_spanish(
    django_db_setup, django_db_blocker, page, monkeypatch
) -> None:
    # Playwright's sync API keeps an idle event loop in this thread; nothing async touches the DB.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with django_db_blocker.unblock(), testing.app_server("tracker", with_worker=False) as server:
        page.goto(server.url + "/en/")
        county = page.locator(
            'svg.national-map a[href="/en/j/ocd-division/country:us/state:ny/county:nassau/"]'
        )
        assert county.count() == 1
        assert "Nassau County, NY: grade" in county.locator("title").text_content()
        county.locator("path").click(force=True)
        page.wait_for_url(re.compile(r"/en/j/ocd-division/country:us/state:ny/county:nassau/$"))

        assert page.locator("h1").text_content() == "Nassau County, NY"
        assert re.match(r"Grade [A-F] · \d+ of 100", page.locator("#grade").inner_text())
        harm = page.locator('tr.line[data-policy="agreement_287g"]')
        assert "In force" in harm.inner_text() and "Nassau County Sheriff" in harm.inner_text()
        assert page.locator('tr.line[data-policy="drivers_licenses_all"]').count() == 1
        evidence = page.locator("a.evidence-link")
        assert evidence.count() >= 5
        assert all(
            href.startswith("http") for href in evidence.evaluate_all("els => els.map(e => e.href)")
        )

        page.get_by_role("link", name="Español").click()
        page.wait_for_url(re.compile(r"/es/j/ocd-division/country:us/state:ny/county:nassau/$"))
        assert page.locator("html").get_attribute("lang") == "es"
        assert re.match(r"Calificación [A-F] · \d+ de 100", page.locator("#grade").inner_text())
        assert "Vigente" in page.locator('tr.line[data-policy="agreement_287g"]').inner_text()
        assert "Acuerdo 287(g) vigente" in page.content()
        assert page.get_by_role("heading", name="Protecciones").count() == 1
