"""Issue 18's walk-through in Debian's Chromium, on the production server (gunicorn +
db_worker) over a clone of the national test data.

An organizer (the organizer role, not a superuser) runs a campaign from the
workspace and never opens /admin/: creates it in English and Spanish, picks asks
and targets by name, opens it, approves a sign-on that came through the public
form (email confirmed over real SMTP), previews the sheriff's copy, delivers to
the outbox, builds a county packet and logs a commitment that shows on the
public accountability page. Switching delivery to officials on is refused to the
organizer and done by an admin. With FIRSTLINE_SCREENSHOT_DIR set, the main
workspace pages are saved there (docs/img/workspace-*.png were made so).
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connections
from playwright.sync_api import expect

from firstline import testing
from firstline.campaigns.models import Signature, SignatureStatus
from firstline.delivery.models import Delivery, PrintPacket
from firstline.delivery.tests.test_e2e_letters import _shoot

PASSWORD = "correct horse battery"
PHONE_WIDTH = 390
AXE = Path(settings.BASE_DIR) / "firstline" / "testing_assets" / "axe-core" / "axe.min.js"
AXE_RUN = (
    "() => axe.run(document, {resultTypes: ['violations']})"
    ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length,"
    " target: v.nodes[0].target.join(' ')})))"
)
SLUG = "tarrant-families"
WORKSPACE_PAGES = ["", "new/"] + [
    f"{SLUG}/{page}" for page in ("", "edit/", "signatures/", "targets/", "letters/", "packets/")
]
ORG = "Fort Worth Neighbors United"

# Run inside the clone: the staff accounts and the sheriff's holder with an email
# (the bundled roster has Tarrant County's offices but no contacts for them).
SETUP = f"""
from django.contrib.auth.models import Group, User
from firstline.geo.models import Jurisdiction
from firstline.officials.models import ContactPoint, Office, Person, Term
for name, role in (("organizer", "organizer"), ("admin", "admin")):
    user = User.objects.create_user(name, name + "@example.org", "{PASSWORD}", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
tarrant = Jurisdiction.objects.get(ocd_id="ocd-division/country:us/state:tx/county:tarrant")
office = Office.objects.filter(jurisdiction=tarrant, role="sheriff").order_by("pk").first()
person = Person.objects.create(ocd_person_id="e2e:waybourn", name="Bill E. Waybourn", family_name="Waybourn")
Term.objects.create(person=person, office=office)
ContactPoint.objects.create(person=person, kind="email", value="sheriff@tarrantcounty.example.org")
"""


@pytest.fixture(scope="session")
def released_connections(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        connections.close_all()


def _sign_in(page, url: str, username: str) -> None:
    page.goto(url + "/en/staff/campaigns/sign-in/?next=/en/staff/campaigns/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/en/staff/campaigns/$"))


def _create_campaign(page, url: str, shots) -> None:
    body = page.locator("body")
    expect(body).to_contain_text("No campaigns yet")
    page.click("text=New campaign")
    page.fill("#id_title", "Protect Tarrant County families")
    page.fill("#id_title_es", "Protejan a las familias del condado de Tarrant")
    page.fill("#id_slug", SLUG)
    page.fill(
        "#id_letter_en",
        "{{ official.salutation }}\n\nWe ask {{ jurisdiction.name }}:\n\n{{ gaps }}\n\nSincerely,",
    )
    page.fill(
        "#id_letter_es",
        "{{ official.salutation }}\n\nPedimos a {{ jurisdiction.name }}:\n\n{{ gaps }}\n\nAtentamente,",
    )
    page.check("label:has-text('No 287(g) agreements') input")
    page.check("label:has-text('Decline ICE detainers') input")
    assert page.locator("label:has-text('287(g) agreement in force')").count() == 0  # harmful
    page.fill("#id_reply_name", "Ana Ruiz")
    page.fill("#id_reply_organization", "Tarrant Immigrant Coalition")
    page.fill("#id_reply_email", "ana@coalition.example.org")
    page.click("button[name=preview]")
    expect(page.locator("#preview")).to_contain_text("Sin acuerdos 287(g)")
    expect(page.locator("#preview")).to_contain_text("We ask [Your jurisdiction]")
    shots("workspace-letter")
    page.click("button[name=save]")
    page.wait_for_url(re.compile(rf"/en/staff/campaigns/{SLUG}/$"))
    expect(body).to_contain_text("Campaign saved.")


def _add_targets(page, url: str, shots) -> None:
    page.goto(f"{url}/en/staff/campaigns/{SLUG}/targets/")
    expect(page.locator("body")).to_contain_text("No rules yet")
    page.check("input[name=roles][value=sheriff]")
    page.check("input[name=roles][value=county_board]")
    page.select_option("#id_geography", "jurisdictions")
    page.fill("#id_jurisdictions", "Tarrant County, TX")
    page.click("text=Add rule")
    expect(page.locator("body")).to_contain_text("Preview: 2 targets")
    expect(page.locator("body")).to_contain_text("With email: 1")
    shots("workspace-targets")


def _sign_on_through_the_public_form(page, url: str, smtp_sink) -> None:
    page.goto(f"{url}/en/campaigns/{SLUG}/")
    page.fill("#id_org_name", ORG)
    page.check("input[name=org_type][value=local]")
    page.fill("#id_home", "Tarrant County, TX")
    page.fill("#id_contact_name", "Luis Gómez")
    page.fill("#id_contact_email", "luis@fwn.example.org")
    page.wait_for_selector("#pow-status[data-state=solved]", state="attached")
    page.wait_for_timeout(3100)  # the form's minimum fill time
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(rf"/en/campaigns/{SLUG}/thanks/"))
    body = testing.message_text(smtp_sink.wait_for(1)[0])
    link = next(word for word in body.split() if "/confirm/" in word)
    page.goto(url + urlparse(link).path)
    page.click("#confirm-signature")
    expect(page.locator("body")).to_contain_text("confirmed")


def _check_pages(browser, url: str, extra: list[str]) -> tuple[dict[str, int], list[str]]:
    """The workspace's main pages on a 390-pixel phone, signed in as the organizer:
    their widths beyond the phone's, and axe-core's serious or critical violations."""
    # Our CSP forbids inline scripts, which is how Playwright injects axe: bypass it here only.
    context = browser.new_context(
        viewport={"width": PHONE_WIDTH, "height": 844}, is_mobile=True, bypass_csp=True
    )
    page = context.new_page()
    _sign_in(page, url, "organizer")
    # The harness can fail: an image without alt text is a critical violation.
    page.set_content('<html lang="en"><title>t</title><main><img src="data:,"></main></html>')
    page.add_script_tag(path=str(AXE))
    assert "image-alt" in page.evaluate("() => axe.run().then(r => r.violations.map(v => v.id))")
    page.set_content(
        '<html lang="en"><title>t</title><main><div style="width:600px">x</div></main>'
    )
    assert page.evaluate("document.documentElement.scrollWidth") > PHONE_WIDTH
    wide, failures = {}, []
    counts: dict[str, tuple[int, int]] = {}
    for language in ("en", "es"):
        for path in WORKSPACE_PAGES + extra:
            response = page.goto(f"{url}/{language}/staff/campaigns/{path}")
            # The page itself, signed in: not an error, not the sign-in form.
            assert response is not None and response.ok and response.url.endswith(path), path
            assert page.locator("main h1").count() == 1, path
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE_WIDTH:
                wide[f"{language} {path}"] = width
            page.add_script_tag(path=str(AXE))
            violations = page.evaluate(AXE_RUN)
            counts[f"{language} /{path}"] = (width, len(violations))
            failures += [
                f"{language} {path}: {v['id']} ({v['impact']}, {v['nodes']} nodes, e.g. {v['target']})"
                for v in violations
                if v["impact"] in ("serious", "critical")
            ]
    print("workspace pages (scrollWidth, axe violations of any impact):", counts)
    context.close()
    return wide, failures


def _wait_for(predicate, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.5)


@pytest.mark.e2e
def test_organizer_runs_a_campaign_without_the_admin(
    released_connections, django_db_blocker, browser, smtp_sink, tmp_path, monkeypatch
):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    call_command("collectstatic", interactive=False, verbosity=0)
    env = {"DELIVERY_MODE": "smtp", "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp_sink.port)}
    with django_db_blocker.unblock(), testing.app_server("workspace", extra_env=env) as server:
        server.manage("shell", "-c", SETUP, timeout=300)
        url, db = server.url, server.alias
        context = browser.new_context()
        page = context.new_page()
        visited: list[str] = []
        page.on("request", lambda request: visited.append(urlparse(request.url).path))
        body = page.locator("body")

        def shots(name: str) -> None:
            _shoot(page, tmp_path / f"{name}.png")

        _sign_in(page, url, "organizer")
        shots("workspace-empty")
        _create_campaign(page, url, shots)
        _add_targets(page, url, shots)

        page.goto(f"{url}/en/staff/campaigns/{SLUG}/")
        page.click("text=Open for signatures")
        expect(body).to_contain_text("Status: Collecting signatures")
        _sign_on_through_the_public_form(page, url, smtp_sink)

        page.goto(f"{url}/en/staff/campaigns/{SLUG}/signatures/")
        expect(body).to_contain_text(ORG)
        page.check(f"label:has-text('{ORG}') >> xpath=../.. >> input[type=checkbox]")
        shots("workspace-signatures")
        page.click("button[value=approve]")
        expect(body).to_contain_text("1 approved.")
        with django_db_blocker.unblock():
            assert Signature.objects.using(db).get().status == SignatureStatus.APPROVED
        # Approval tells the signer, through the outbox, in the language they signed in.
        approved = smtp_sink.wait_for(2)[1]
        assert approved["X-Envelope-To"] == "luis@fwn.example.org"
        assert "approved the signature of" in testing.message_text(approved)

        page.goto(f"{url}/en/staff/campaigns/{SLUG}/targets/")
        page.click("text=Freeze targets")
        expect(body).to_contain_text("2 targets frozen.")
        page.goto(f"{url}/en/staff/campaigns/{SLUG}/letters/")
        page.click("text=Render missing and stale copies")
        # The page reloads itself while the worker renders.
        expect(body).to_contain_text("2 of 2 copies rendered", timeout=90_000)
        shots("workspace-letters")
        page.click("a:has-text('Sheriff of Tarrant County')")
        expect(body).to_contain_text("Dear Sheriff Waybourn")
        expect(body).to_contain_text("Signed by 1 organization")
        page.go_back()

        page.get_by_role("button", name="Deliver", exact=True).click()
        expect(body).to_contain_text("deliveries queued")
        with django_db_blocker.unblock():
            email = Delivery.objects.using(db).filter(channel="email")
            _wait_for(lambda: email.filter(status="sent").exists())
            assert email.get().mode == "outbox"
        # The signer's confirmation and approval only; the letter stayed in the outbox.
        assert [m["X-Envelope-To"] for m in smtp_sink.messages] == ["luis@fwn.example.org"] * 2

        # Switching delivery to officials on is the admin's; the organizer is refused.
        switch = page.locator("button:has-text('Switch delivery to officials on')")
        switch.click()
        expect(body).to_contain_text("403")
        admin_page = browser.new_context().new_page()
        _sign_in(admin_page, url, "admin")
        admin_page.goto(f"{url}/en/staff/campaigns/{SLUG}/letters/")
        admin_page.click("button:has-text('Switch delivery to officials on')")
        expect(admin_page.locator("body")).to_contain_text("Delivery to officials is ON")

        page.goto(f"{url}/en/staff/campaigns/{SLUG}/packets/")
        page.select_option("#id_scope", "county")
        page.fill("#id_place", "Tarrant County, TX")
        # The worker builds the packet; the page shows its progress and reloads itself.
        page.click("text=Build packet")
        page.wait_for_url(re.compile(rf"/en/staff/campaigns/{SLUG}/packets/\?packet=\d+$"))
        expect(page.locator("#packet-status")).to_contain_text(
            re.compile("Packet queued|Building the packet|Packet ready")
        )
        expect(page.locator("#packet-status")).to_contain_text("Packet ready", timeout=120_000)
        shots("workspace-packets")
        download = page.locator("#packet-status a:has-text('Download the packet')")
        pdf = page.request.get(url + download.get_attribute("href"))
        assert pdf.ok and pdf.body()[:4] == b"%PDF"
        with django_db_blocker.unblock():
            packet = PrintPacket.objects.using(db).get()
            assert (packet.status, packet.letters_done, packet.letters_total) == ("done", 1, 1)

        page.goto(f"{url}/en/staff/campaigns/{SLUG}/letters/")
        page.click("tr:has-text('Sheriff of Tarrant County') >> text=Log a response")
        page.select_option("#id_kind", "commitment")
        page.select_option("#id_policies", label="No 287(g) agreements")
        page.fill("#id_commitment_date", "2027-03-01")
        page.click("button:has-text('Save')")
        page.wait_for_url(re.compile(rf"/en/delivery/{SLUG}/accountability/"))
        expect(body).to_contain_text("1 committed")
        expect(body).to_contain_text("Waybourn")

        page.goto(f"{url}/en/staff/campaigns/{SLUG}/")
        expect(body).to_contain_text("1 committed.")
        shots("workspace-campaign")
        page.goto(f"{url}/es/staff/campaigns/{SLUG}/")
        expect(body).to_contain_text("Dónde están las cosas")
        shots("workspace-campaign-es")
        assert not [path for path in visited if path.startswith("/admin")], visited

        # Every main workspace page, with the campaign's data in it, fits a phone and
        # passes axe-core (issue 17's checks for the public pages).
        # The packets page also with a finished build's status next to its form.
        wide, failures = _check_pages(browser, url, [f"{SLUG}/packets/?packet={packet.pk}"])
        assert not wide, wide
        assert not failures, "\n".join(failures)
