"""Staff sign-in: a second factor (TOTP or a recovery code) and login throttling."""

from __future__ import annotations

import time

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


@pytest.fixture
def staff(settings):
    settings.STAFF_REQUIRE_2FA = True
    return get_user_model().objects.create_user(
        "organizer", "organizer@example.org", PASSWORD, is_staff=True
    )


def _code(device: TOTPDevice, *, offset_steps: int = 0) -> str:
    """The device's code for the current time step, or ``offset_steps`` later."""
    value = totp(device.bin_key, step=device.step, t0=device.t0 - offset_steps * device.step)
    return f"{value:0{device.digits}d}"


def _enrol(client: Client, user) -> list[str]:
    client.force_login(user)
    page = client.get("/staff/2fa/?next=/admin/")
    assert page.status_code == 200 and b"<svg" in page.content
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    done = client.post("/staff/2fa/", {"code": _code(device), "next": "/admin/"})
    assert done.status_code == 200
    return done.context["codes"]


def test_staff_are_sent_to_enrol_then_get_in_with_a_code(staff):
    client = Client()
    client.force_login(staff)
    assert client.get("/admin/").url == "/staff/2fa/?next=/admin/"
    codes = _enrol(client, staff)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/admin/").status_code == 200
    assert TOTPDevice.objects.filter(user=staff, confirmed=True).count() == 1


def test_wrong_enrolment_code_confirms_nothing(staff):
    client = Client()
    client.force_login(staff)
    client.get("/staff/2fa/")
    page = client.post("/staff/2fa/", {"code": "000000"})
    assert page.context["error"] is True
    assert not TOTPDevice.objects.filter(user=staff, confirmed=True).exists()
    assert client.get("/admin/").status_code == 302


def test_a_new_session_must_pass_the_second_step(staff):
    codes = _enrol(Client(), staff)
    device = TOTPDevice.objects.get(user=staff, confirmed=True)
    later = Client()
    later.force_login(staff)
    assert later.get("/admin/").status_code == 302
    wrong = later.post("/staff/2fa/", {"code": "123456", "next": "/admin/"})
    assert wrong.status_code == 200 and wrong.context["error"] is True
    assert later.get("/admin/").status_code == 302
    # The code just used for enrolment is spent; the next step's code is
    # accepted (one step of clock drift is tolerated).
    spent = later.post("/staff/2fa/", {"code": _code(device), "next": "/admin/"})
    assert spent.status_code == 200 and spent.context["error"] is True
    time.sleep(2.1)  # django-otp throttles a device for 2**(failures-1) s after a failure
    ok = later.post("/staff/2fa/", {"code": _code(device, offset_steps=1), "next": "/admin/"})
    assert ok.status_code == 302 and ok.url == "/admin/"
    assert later.get("/admin/").status_code == 200
    # A recovery code works once.
    for attempt, expected in ((Client(), 302), (Client(), 200)):
        attempt.force_login(staff)
        result = attempt.post("/staff/2fa/", {"code": codes[0], "next": "/admin/"})
        assert result.status_code == expected


def test_next_must_stay_on_this_site(staff):
    client = Client()
    _enrol(client, staff)
    later = Client()
    later.force_login(staff)
    device = TOTPDevice.objects.get(user=staff, confirmed=True)
    code = _code(device, offset_steps=1)
    done = later.post("/staff/2fa/", {"code": code, "next": "https://evil.example/"})
    assert done.url == "/admin/"


def test_non_staff_and_public_pages_are_untouched(staff):
    client = Client()
    assert client.get("/en/").status_code == 200
    member = get_user_model().objects.create_user("reader", "r@example.org", PASSWORD)
    client.force_login(member)
    assert client.get("/en/").status_code == 200


def test_not_required_when_switched_off(staff, settings):
    settings.STAFF_REQUIRE_2FA = False
    client = Client()
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200


def test_sixth_wrong_password_locks_out_and_stores_no_address(staff):
    client = Client(REMOTE_ADDR="203.0.113.77")
    for _ in range(5):
        wrong = client.post("/admin/login/", {"username": "organizer", "password": "nope"})
        assert wrong.status_code == 200  # the login form again
    sixth = client.post("/admin/login/", {"username": "organizer", "password": "nope"})
    assert sixth.status_code == 429 and b"Sign-in locked" in sixth.content
    # Locked: even the right password is refused now.
    locked = client.post("/admin/login/", {"username": "organizer", "password": PASSWORD})
    assert locked.status_code == 429
    attempt = AccessAttempt.objects.get(username="organizer")
    assert attempt.failures_since_start >= 5
    assert attempt.ip_address.startswith("fd") and "203.0.113.77" not in attempt.ip_address
    # Another account from the same client is not locked by it.
    other = get_user_model().objects.create_user("other", "o@example.org", PASSWORD, is_staff=True)
    fine = client.post("/admin/login/", {"username": other.username, "password": PASSWORD})
    assert fine.status_code == 302


def test_staff_session_lasts_twelve_hours(settings):
    assert settings.SESSION_COOKIE_AGE == 12 * 3600
