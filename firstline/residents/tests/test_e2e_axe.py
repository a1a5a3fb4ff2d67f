"""axe-core on the pages residents and partner organizations use (issue 17).

The vendored, test-only axe-core (firstline/testing_assets/axe-core) is injected
by Playwright into each page served by the production server; a serious or
critical violation fails the test. The counts are printed for the report.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command

from firstline import testing
from firstline.campaigns.tests import factories

AXE = Path(settings.BASE_DIR) / "firstline" / "testing_assets" / "axe-core" / "axe.min.js"
PAGES = {
    "home": "/en/",
    "home (es)": "/es/",
    "jurisdiction": "/en/j/ocd-division/country:us/state:tx/county:harris/",
    "grade table": "/en/policies/grades/tx/",
    "ZIP result": "/en/find/?zip=77002",
    "ZIP result (es)": "/es/find/?zip=77002",
    "campaign": "/en/campaigns/axe-check/",
    # The sign-on form is part of the campaign page (/sign/ takes only its POST).
    "sign-on form (es)": "/es/campaigns/axe-check/#sign",
    "287(g) policy": "/en/policies/agreement_287g/",
}


def _axe(page: Any, url: str) -> list[dict[str, Any]]:
    page.goto(url)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "() => axe.run(document, {resultTypes: ['violations']})"
        ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length,"
        " target: v.nodes[0].target.join(' ')})))"
    )
    return list(result)


@pytest.mark.e2e
def test_axe_finds_no_serious_or_critical_violations(
    django_db_setup, django_db_blocker, browser, monkeypatch
):
    # Our CSP forbids inline scripts, which is how Playwright injects axe: bypass it here only.
    page = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True).new_page()
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    call_command("collectstatic", interactive=False, verbosity=0)
    with django_db_blocker.unblock(), testing.app_server("axe") as server:
        factories.campaign(using=server.alias, slug="axe-check")
        # The harness itself can fail: an image without alt text is a critical violation.
        page.goto(server.url + "/en/")
        page.set_content('<html lang="en"><title>t</title><main><img src="data:,"></main></html>')
        page.add_script_tag(path=str(AXE))
        found = page.evaluate("() => axe.run().then(r => r.violations.map(v => v.id))")
        assert "image-alt" in found
        failures, counts = [], {}
        for name, path in PAGES.items():
            violations = _axe(page, server.url + path)
            assert page.locator("main").count() == 1, name  # a real page, not an error
            counts[name] = {
                impact: sum(v["nodes"] for v in violations if v["impact"] == impact)
                for impact in ("critical", "serious", "moderate", "minor")
            }
            failures += [
                f"{name}: {v['id']} ({v['impact']}, {v['nodes']} nodes, e.g. {v['target']})"
                for v in violations
                if v["impact"] in ("serious", "critical")
            ]
        print("axe-core violations by impact (nodes):", counts)
    assert not failures, "\n".join(failures)
