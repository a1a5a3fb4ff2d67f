"""Two-factor sign-in for staff: TOTP devices and recovery codes (django-otp).

A staff account signs in with its password (throttled by django-axes), then
proves a second factor: a six-digit code from an authenticator app, or one of
ten single-use recovery codes. An account with no confirmed authenticator is
sent to enrolment first. ``StaffTwoFactorMiddleware`` (core.middleware) sends
every staff request here until the session is verified. Why django-otp and
not allauth's MFA: Firstline has no sign-up, email login or social accounts,
and django-otp adds just the devices and the session flag to Django's own
auth and admin (docs/security.md).
"""

from __future__ import annotations

import base64
import secrets

import segno
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from firstline.core.services import audit_event_record

DEVICE_NAME = "authenticator"
RECOVERY_NAME = "recovery codes"
RECOVERY_CODES = 10


def has_confirmed_device(user: AbstractBaseUser) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def totp_enrollment_device(*, user: AbstractBaseUser) -> TOTPDevice:
    """The user's pending authenticator, made on first call (its key is shown once
    per enrolment; a reload shows the same key until it is confirmed)."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": DEVICE_NAME}
    )
    return device


def totp_qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline SVG QR code (drawn here, no third party)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#111")


def totp_secret_base32(device: TOTPDevice) -> str:
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@transaction.atomic
def totp_enrollment_confirm(
    *, request: HttpRequest, user: AbstractBaseUser, code: str
) -> list[str] | None:
    """Confirm the pending authenticator with a code from it. Returns the new
    recovery codes (shown once), or None if the code is wrong."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(_digits(code)):
        return None
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = recovery_codes_replace(user=user)
    otp_login(request, device)
    audit_event_record(
        action="staff.2fa_enrolled", subject=f"auth.user:{user.pk}", actor=user,
        message="Authenticator confirmed; recovery codes issued.",
    )  # fmt: skip
    return codes


def recovery_codes_replace(*, user: AbstractBaseUser) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [f"{secrets.randbelow(10**8):08d}" for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def two_factor_verify(*, request: HttpRequest, user: AbstractBaseUser, code: str) -> bool:
    """Check a TOTP or recovery code against the user's confirmed devices and mark
    the session verified. A recovery code is spent by the check itself."""
    cleaned = code.strip().replace(" ", "")
    device = match_token(user, cleaned)
    if device is None:
        return False
    otp_login(request, device)
    return True


def _digits(code: str) -> str:
    return "".join(ch for ch in code if ch.isdigit())
