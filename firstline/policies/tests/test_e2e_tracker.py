"""The tracker in a real browser against the production server: map → county → evidence → Spanish."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from firstline import testing


@pytest.mark.e2e
def test_home_map_to_county_scorecard_and_spanish(
    django_db_setup, django_db_blocker, page, monkeypatch
) -> None:
    # Playwright's sync API keeps an idle event loop in this thread; nothing async touches the DB.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # gunicorn serves static files from STATIC_ROOT only: map.js must be collected.
    call_command("collectstatic", interactive=False, verbosity=0)
    with django_db_blocker.unblock(), testing.app_server("tracker", with_worker=False) as server:
        page.goto(server.url + "/en/")
        # The keyboard path: skip the map, then the grade table, state, county.
        page.get_by_role("link", name="Skip the map: grades as a table").press("Enter")
        page.wait_for_url(re.compile(r"#grade-table$"))
        page.get_by_role("link", name="New York", exact=True).press("Enter")
        page.wait_for_url(re.compile(r"/en/policies/grades/ny/$"))
        page.get_by_role("link", name="Nassau County", exact=True).press("Enter")
        page.wait_for_url(re.compile(r"/en/j/ocd-division/country:us/state:ny/county:nassau/$"))
        # The mouse path: a county names itself on hover and opens its page on click.
        page.goto(server.url + "/en/")
        county = page.locator("svg.national-map #c36059")
        county.hover(force=True)
        expect(county.locator("title")).to_contain_text("Nassau County, NY: grade")
        county.click(force=True)
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
