from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

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
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        action=action,
        subject=subject,
        actor=user,
        actor_label=actor_label or (str(user) if user else "system"),
        message=message,
        data=data or {},
    )
