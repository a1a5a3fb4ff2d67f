from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.utils import timezone

from firstline.core.models import AuditEvent, WorkerHeartbeat


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


def staff_roles_sync(**_: Any) -> None:
    """Make the role groups hold exactly the capabilities ``core.roles`` lists
    (run after every migrate; idempotent)."""
    from django.contrib.auth.models import Group, Permission

    from firstline.core.roles import ADMIN, CAPABILITIES, ROLES

    capabilities = {
        p.codename: p
        for p in Permission.objects.filter(
            content_type__app_label="core", codename__in=list(CAPABILITIES)
        )
    }
    if len(capabilities) < len(CAPABILITIES):
        return  # permissions are created by auth's own post_migrate; it runs first
    for role, codenames in ROLES.items():
        group, _created = Group.objects.get_or_create(name=role)
        wanted = (
            list(Permission.objects.all())
            if role == ADMIN
            else [capabilities[c] for c in codenames]
        )
        group.permissions.set(wanted)


def demo_staff_accounts_reset() -> list[tuple[str, str, str]]:
    """One staff account per role for the demo, each with a fresh password.
    Returns (role, username, password) rows to print. Never used in production."""
    import secrets

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from firstline.core.roles import ROLES

    staff_roles_sync()
    rows = []
    for role in ROLES:
        user, _created = get_user_model().objects.get_or_create(
            username=f"demo-{role}",
            defaults={"email": f"{role}@firstline.localhost", "is_staff": True},
        )
        password = secrets.token_urlsafe(12)
        user.set_password(password)
        user.is_staff = True
        user.save()
        user.groups.set([Group.objects.get(name=role)])
        rows.append((role, user.username, password))
    return rows


def worker_heartbeat_record(*, worker_id: str, queues: str, started_at: dt.datetime) -> None:
    """This worker is alive now; rows of workers silent for a day are dropped
    (they died without cleaning up: SIGKILL, a lost machine)."""
    now = timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id, defaults={"queues": queues, "started_at": started_at, "beat_at": now}
    )
    WorkerHeartbeat.objects.filter(beat_at__lt=now - dt.timedelta(days=1)).delete()


def worker_heartbeat_clear(*, worker_id: str) -> None:
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()
