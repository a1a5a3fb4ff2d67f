from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User

from firstline.core.models import AuditEvent


def audit_event_record(
    *,
    action: str,
    subject: str,
    actor: AbstractBaseUser | AnonymousUser | None = None,
    actor_label: str = "",
    message: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    # AnonymousUser is not a User; a real User is always authenticated.
    user = actor if isinstance(actor, User) and actor.is_authenticated else None
    return AuditEvent.objects.create(
        action=action,
        subject=subject,
        actor=user,
        actor_label=actor_label or (str(user) if user else "system"),
        message=message,
        data=data or {},
    )


STAFF_LOGIN_SALT = "firstline.staff-login"
STAFF_LOGIN_MAX_AGE = 3600


def staff_login_link_create(*, user: AbstractBaseUser) -> str:
    """A signed, single-use, one-hour login path for a staff user (the demo prints it)."""
    import secrets

    from django.core import signing
    from django.urls import reverse

    nonce = secrets.token_urlsafe(16)
    token = signing.dumps({"u": user.pk, "n": nonce}, salt=STAFF_LOGIN_SALT)
    from django.core.cache import cache

    cache.set(f"staff-login:{nonce}", True, STAFF_LOGIN_MAX_AGE)
    return reverse("staff_login", kwargs={"token": token})


def staff_login_link_use(*, token: str) -> User | None:
    """Return the staff user for a valid, unused token, consuming it; else None."""
    from django.contrib.auth import get_user_model
    from django.core import signing
    from django.core.cache import cache

    try:
        data = signing.loads(token, salt=STAFF_LOGIN_SALT, max_age=STAFF_LOGIN_MAX_AGE)
    except signing.BadSignature:
        return None
    # cache.delete returns True only for the first caller: single use even under races.
    if not cache.delete(f"staff-login:{data['n']}"):
        return None
    user = get_user_model().objects.filter(pk=data["u"], is_staff=True, is_active=True).first()
    return user
