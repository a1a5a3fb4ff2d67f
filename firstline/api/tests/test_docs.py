"""The API reference page: rendered on the server from the OpenAPI document, under the site's CSP."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command

from firstline import testing
from firstline.api import openapi
from firstline.core.middleware import CSP


@pytest.mark.django_db
def test_reference_page_lists_every_operation_and_schema_without_scripts(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert response["Content-Security-Policy"] == CSP
    html = response.text
    # The reference needs no script of its own; the site's shared, same-origin
    # scripts (base.html) may load, and nothing inline (the CSP forbids it).
    scripts = re.findall(r"<script([^>]*)>", html)
    assert all('src="/static/js/' in attrs for attrs in scripts), scripts
    assert 'src="/static/js/api' not in html
    # Nothing from another origin: every src and href is relative or this server.
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert url.startswith(("/", "#", "http://testserver/")), url
    doc = openapi.document()
    for item in doc["paths"].values():
        for op in item.values():
            assert f'id="op-{op["operationId"]}"' in html
    for name in doc["components"]["schemas"]:
        assert f'id="schema-{name}"' in html
    assert "<code>limit</code>" in html and "policy_status" in html


@pytest.mark.django_db
def test_reference_page_in_spanish(client):
    html = client.get("/api/v1/docs", HTTP_ACCEPT_LANGUAGE="es").text
    assert "Referencia de la API" in html and "Parámetros" in html


def test_reference_page_refuses_other_methods_in_json(client):
    response = client.post("/api/v1/docs")
    assert response.status_code == 405 and set(response.json()) == {"error"}


@pytest.mark.e2e
def test_reference_page_renders_in_a_browser_with_no_csp_violation(
    django_db_setup, django_db_blocker, page, monkeypatch
):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    call_command("collectstatic", interactive=False, verbosity=0)
    problems: list[str] = []
    # A CSP violation is reported on the console; a missing file as a failed response.
    page.on(
        "console",
        lambda m: (
            m.type in ("error", "warning")
            and not m.text.startswith("Failed to load resource")
            and problems.append(m.text)
        ),
    )
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    # The browser asks for /favicon.ico on its own; the site has none (not this page's doing).
    page.on(
        "response",
        lambda r: (
            r.status >= 400
            and not r.url.endswith("/favicon.ico")
            and problems.append(f"{r.status}: {r.url}")
        ),
    )
    with django_db_blocker.unblock(), testing.app_server("apidocs", with_worker=False) as server:
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(server.url + "/api/v1/docs")
        page.get_by_role("link", name="GET /jurisdictions", exact=True).click()
        page.wait_for_url("**#op-jurisdictions")
        assert page.locator("#op-jurisdictions table").first.is_visible()
        # The site's stylesheet applied (it is served from our origin, like everything else).
        assert page.evaluate("getComputedStyle(document.querySelector('header.site')).display")
        assert all(url.startswith(server.url) for url in requests), requests
    assert not problems, problems
