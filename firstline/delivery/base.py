"""What the delivery modules share: the staff-facing error and the acting user."""

from __future__ import annotations

from django.contrib.auth import models as auth_models
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

User = AbstractBaseUser | AnonymousUser | None


class DeliveryError(ValueError):
    """A staff action that cannot be done now (targets not frozen, already delivering...)."""


def signed_in(by: User) -> auth_models.User | None:
    # AnonymousUser is not an auth User, and a real one is always authenticated.
    return by if isinstance(by, auth_models.User) and by.is_authenticated else None
