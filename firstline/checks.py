"""System checks that make production misconfiguration fail loudly.

Run `manage.py check --deploy` (or any command: errors stop it) with
FIRSTLINE_ENV=production. Ids are stable so they can be silenced knowingly.
"""

from __future__ import annotations

from typing import Any

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=False)
def check_production_settings(app_configs: Any = None, **kwargs: Any) -> list[Error | Warning]:
    errors: list[Error | Warning] = []
    if settings.FIRSTLINE_ENV != "production":
        return errors
    if not settings.SECRET_KEY or settings.SECRET_KEY.startswith("insecure-"):
        errors.append(
            Error(
                "SECRET_KEY is not set.",
                hint="Set SECRET_KEY in the environment.",
                id="firstline.E001",
            )
        )
    if settings.DEBUG:
        errors.append(Error("DEBUG is on in production.", hint="Unset DEBUG.", id="firstline.E002"))
    if not settings.ALLOWED_HOSTS:
        errors.append(
            Error(
                "ALLOWED_HOSTS is empty.",
                hint="Set ALLOWED_HOSTS=example.org,...",
                id="firstline.E003",
            )
        )
    if not settings.FIELD_ENCRYPTION_KEYS:
        errors.append(
            Error(
                "FIELD_ENCRYPTION_KEYS is empty: signer contact data cannot be encrypted.",
                hint="Generate one with `manage.py generate_field_key`.",
                id="firstline.E004",
            )
        )
    errors.extend(_key_format_errors())
    if settings.OUTBOX_SENSITIVE_KEEP_HOURS < settings.SIGNATURE_VERIFY_MAX_AGE_HOURS:
        errors.append(
            Error(
                "OUTBOX_SENSITIVE_KEEP_HOURS is shorter than SIGNATURE_VERIFY_MAX_AGE_HOURS: "
                "confirmation emails would vanish from the outbox while their links still work.",
                id="firstline.E007",
            )
        )
    if settings.DELIVERY_MODE == "redirect" and not settings.DELIVERY_REDIRECT_TO:
        errors.append(
            Error("DELIVERY_MODE=redirect needs DELIVERY_REDIRECT_TO.", id="firstline.E005")
        )
    return errors


def _key_format_errors() -> list[Error | Warning]:
    """Every configured key must be a Fernet key: a malformed one would let
    sign-ons be accepted by the web tier and then fail when encrypted."""
    bad = []
    for position, key in enumerate(settings.FIELD_ENCRYPTION_KEYS, start=1):
        try:
            Fernet(key.encode())
        except (ValueError, TypeError):
            bad.append(position)
    if not bad:
        return []
    return [
        Error(
            f"FIELD_ENCRYPTION_KEYS entry {', '.join(map(str, bad))} is not a valid key.",
            hint="Each key is 32 url-safe base64 bytes: `manage.py generate_field_key`.",
            id="firstline.E006",
        )
    ]
