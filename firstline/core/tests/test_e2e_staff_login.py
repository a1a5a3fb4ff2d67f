"""In the browser, on the production server: staff sign-in needs a TOTP code,
and the sixth wrong password in a row is locked out."""

from __future__ import annotations

import base64
import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connections
from django_otp.oath import totp
from playwright.sync_api import expect

from firstline import testing

PASSWORD = "correct horse battery staple"


def _code(secret_text: str, *, steps_ahead: int = 0) -> str:
    secret = secret_text.replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key, step=30, t0=-30 * steps_ahead):06d}"


def _sign_in(page, url: str, password: str) -> None:
    page.goto(url + "/admin/login/?next=/admin/")
    page.fill("#id_username", "organizer")
    page.fill("#id_password", password)
    # A refused sign-in answers at the same address, so wait for the new
    # document itself rather than for a URL change.
    with page.expect_navigation(wait_until="load"):
        page.click("input[type=submit]")


@pytest.mark.e2e
def test_staff_sign_in_needs_a_code_and_locks_out(django_db_blocker, browser, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with django_db_blocker.unblock():
        connections.close_all()
    env = {"STAFF_REQUIRE_2FA": "1"}
    with django_db_blocker.unblock(), testing.app_server("staff2fa", extra_env=env) as server:
        with django_db_blocker.unblock():
            get_user_model().objects.db_manager(server.alias).create_user(
                "organizer", "organizer@example.org", PASSWORD, is_staff=True
            )
        first = browser.new_context()
        page = first.new_page()
        _sign_in(page, server.url, PASSWORD)
        # The password alone does not open the admin: enrolment comes first.
        page.wait_for_url(re.compile(r"/staff/2fa/\?next=/admin/"))
        expect(page.locator(".qr svg")).to_have_count(1)
        secret = page.inner_text("#totp-secret")
        page.fill("#id_code", _code(secret))
        page.click("button[type=submit]")
        expect(page.locator(".recovery-codes li")).to_have_count(10)
        page.click("text=Continue")
        page.wait_for_url(re.compile(r"/admin/$"))
        expect(page.locator("body")).to_contain_text("Site administration")
        first.close()

        # A new session: password, then the code the app shows.
        second = browser.new_context()
        page = second.new_page()
        _sign_in(page, server.url, PASSWORD)
        page.wait_for_url(re.compile(r"/staff/2fa/"))
        page.goto(server.url + "/admin/")  # no way round the second step
        page.wait_for_url(re.compile(r"/staff/2fa/"))
        page.fill("#id_code", _code(secret, steps_ahead=1))
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r"/admin/$"))
        second.close()

        # Five wrong passwords are answered with the form; the sixth is locked out.
        third = browser.new_context()
        page = third.new_page()
        for attempt in range(1, 7):
            _sign_in(page, server.url, f"wrong {attempt}")
            if attempt < 6:
                expect(page.locator("#id_password")).to_have_count(1)
                expect(page.get_by_text("Sign-in locked")).to_have_count(0)
        expect(page.get_by_text("Sign-in locked")).not_to_have_count(0)
        _sign_in(page, server.url, PASSWORD)  # now even the right one is refused
        expect(page.get_by_text("Sign-in locked")).not_to_have_count(0)
        expect(page).to_have_url(re.compile(r"/admin/login/"))  # not on to the code step
        third.close()
