"""Deny by default: the decorator every staff view wears, and the public marker.

``staff_permission_required("manage_delivery")`` lets through only active staff
accounts holding ``core.manage_delivery`` (superusers hold everything):
anonymous visitors go to the login page, everyone else gets 403. The view
keeps the capability in ``required_permission`` so the authorization test
can check every URL against every role. ``public`` marks a view anyone may
use; a view with neither fails that test.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase

from firstline.core.roles import CAPABILITIES, permission_name

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def user_can(user: Any, capability: str) -> bool:
    if capability not in CAPABILITIES:
        raise KeyError(f"unknown capability {capability!r}: add it to core.roles.CAPABILITIES")
    return bool(
        user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm(permission_name(capability))
    )


def require_capability(request: HttpRequest, capability: str) -> None:
    """For a view that needs more than its decorator's capability for one action."""
    if not user_can(request.user, capability):
        raise PermissionDenied


def staff_permission_required(capability: str) -> Callable[[View], View]:
    if capability not in CAPABILITIES:
        raise KeyError(f"unknown capability {capability!r}: add it to core.roles.CAPABILITIES")

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user_can(request.user, capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        guarded.required_permission = permission_name(capability)  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]

    return decorate


def public(view: View) -> View:
    """Mark a view as open to everyone (checked by the authorization test)."""
    view.public = True  # type: ignore[attr-defined]
    return view
