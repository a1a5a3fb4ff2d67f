"""The roster drive in Debian's Chromium, against the production server (gunicorn + db_worker).

Staff open the demo campaign's coverage and invite a partner; the partner's link fills
in a sheriff with an email and a source; staff accept; the frozen target becomes
contactable and a re-render salutes the sheriff by name; a reused and an expired link
are refused. Then a roster upload with one bad row changes nothing until a clean file
is confirmed.
"""

import datetime as dt
import time

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connections
from django.utils import timezone
from playwright.sync_api import expect

from firstline import testing
from firstline.delivery.models import LetterCopy, Target
from firstline.officials.models import Person, RosterInvite

SLUG = "first-line-of-defense-texas"
SHERIFF = "Sheriff of Tarrant County"


@pytest.fixture(scope="session")
def released_connections(django_db_setup, django_db_blocker):
    """Close this thread's connections before Playwright's event loop hides them
    (see campaigns' e2e test): the clone needs an unused source database."""
    with django_db_blocker.unblock():
        connections.close_all()


def _staff_login(page, server):
    page.goto(server.url + "/admin/login/?next=/en/")
    page.fill("#id_username", "researcher")
    page.fill("#id_password", "correct horse battery")
    page.click("input[type=submit]")


def _wait_for(predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError("timed out")


@pytest.mark.e2e
def test_roster_drive_from_coverage_to_a_letter_by_name(
    released_connections, django_db_blocker, browser, page, tmp_path, monkeypatch
):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    call_command("collectstatic", interactive=False, verbosity=0)
    with django_db_blocker.unblock(), testing.app_server("roster-e2e") as server:
        server.manage("seed_demo", timeout=300)
        db = server.alias
        get_user_model().objects.db_manager(db).create_user(
            "researcher", "r@example.org", "correct horse battery", is_staff=True, is_superuser=True
        )
        target = Target.objects.using(db).get(campaign__slug=SLUG, title=SHERIFF)
        assert target.holder_name == "" and target.email == ""

        # Staff: coverage lists the sheriff; invite a Texas signatory.
        _staff_login(page, server)
        page.goto(f"{server.url}/en/delivery/{SLUG}/coverage/")
        group = page.locator("#cov-TX-sheriff")
        assert group.get_by_text(SHERIFF).is_visible()
        group.locator("form.invite button").first.click()
        link = page.locator("a.invite-link").get_attribute("href")
        assert link and "/roster/" in link

        # The partner, with no account, in another browser context.
        partner = browser.new_context().new_page()
        partner.goto(link)
        box = partner.locator("fieldset", has=partner.locator("legend", has_text=SHERIFF))
        box.get_by_label("Who holds the office").fill("Pat Example")
        box.get_by_label("Email").fill("sheriff.pat@tarrant.example.org")
        box.get_by_label("Where you found it").fill(
            "https://www.tarrantcountytx.gov/en/sheriff.html"
        )
        partner.get_by_role("button", name="Send to the coalition").click()
        expect(partner.locator("body")).to_contain_text("Staff will check")
        # Reused: the same link again is refused.
        partner.goto(link)
        assert "already been used" in partner.content()

        # Staff accept, fill the frozen targets, re-render.
        page.goto(server.url + "/en/officials/staff/roster/review/")
        card = page.locator(".roster-change", has_text="Pat Example")
        assert card.get_by_text("sheriff.pat@tarrant.example.org").is_visible()
        card.get_by_role("button", name="Accept").click()
        page.goto(f"{server.url}/en/delivery/{SLUG}/coverage/")
        page.get_by_role("button", name="Fill in targets from accepted roster changes").click()
        target.refresh_from_db(using=db)
        assert target.holder_name == "Pat Example"
        assert target.email == "sheriff.pat@tarrant.example.org"
        page.goto(f"{server.url}/en/delivery/{SLUG}/")
        page.get_by_role("button", name="Render missing and stale copies").click()
        letter = _wait_for(
            lambda: (
                LetterCopy.objects.using(db)
                .filter(target=target, stale=False, text__contains="Pat Example")
                .first()
            )
        )
        assert "Dear Sheriff Example," in letter.text
        person = Person.objects.using(db).get(name="Pat Example")
        email = person.contacts.get(kind="email")
        assert email.verified_by is not None and email.verified_on == timezone.localdate()

        # Expired: an invitation past its date is refused with a clear page.
        invite = RosterInvite.objects.using(db).order_by("-pk").first()
        from firstline.officials.services import _token_hash

        RosterInvite.objects.using(db).create(
            organization_name="Late",
            organization_email="late@example.org",
            token_hash=_token_hash("expired-token"),
            expires_at=timezone.now() - dt.timedelta(days=1),
        )
        partner.goto(server.url + "/en/officials/roster/expired-token/")
        assert "This invitation has expired." in partner.content()
        assert invite is not None and invite.used_at is not None

        # A roster upload with one bad row: the error, and nothing saved until a clean file.
        header = "jurisdiction,role,district,name,email,phone,address,source,verified_on\n"
        good = "Tarrant County TX,county_commissioner,3,Lee Example,lee@example.org,,,roster Z,2026-12-01\n"
        good = good.replace("Tarrant County TX", '"Tarrant County, TX"')
        bad = '"Tarrant County, TX",dogcatcher,,,,,,roster Z,\n'
        path = tmp_path / "roster.csv"
        path.write_text(header + good + bad)
        page.goto(server.url + "/en/officials/staff/roster/upload/")
        page.set_input_files("#id_file", str(path))
        page.get_by_role("button", name="Preview").click()
        errors = page.locator(".row-errors")
        expect(errors).to_contain_text("line 3")
        expect(errors).to_contain_text("dogcatcher")
        assert page.get_by_role("button", name="Confirm the import").count() == 0
        assert not Person.objects.using(db).filter(name="Lee Example").exists()
        path.write_text(header + good)
        page.set_input_files("#id_file", str(path))
        page.get_by_role("button", name="Preview").click()
        expect(page.locator(".preview .counts")).to_contain_text("1 to insert")
        assert not Person.objects.using(db).filter(name="Lee Example").exists()
        page.get_by_role("button", name="Confirm the import").click()
        expect(page.locator("body")).to_contain_text("Roster imported")
        assert Person.objects.using(db).filter(name="Lee Example").exists()
