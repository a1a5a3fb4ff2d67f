"""Deny by default: every URL of the site, for every role, with GET and POST.

A view is either listed below as public (anyone may use it), belongs to the
Django admin (which checks model permissions itself; staff also pass the
second factor), or wears ``staff_permission_required``. A new view with none
of these fails ``test_every_url_has_a_rule``; a protected view that lets the
wrong role in fails the matrix.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.converters import IntConverter, PathConverter

from firstline.core.roles import ROLES

# Views anyone may use, by URL name. Keep this list short and obvious.
PUBLIC = {
    "set_language", "staff_login", "healthz",
    "core:home", "geo:search", "core:privacy", "core:data_sources", "policies:jurisdiction",
    "jurisdiction",
    "geo:zip", "geo:jurisdiction_search",
    "officials:office", "officials:jurisdiction", "officials:roster_form",
    "officials:roster_thanks", "officials:suggest", "officials:suggest_thanks",
    "policies:list", "policies:detail", "policies:methodology", "policies:trend_287g",
    "policies:map_svg", "policies:grade_table", "policies:county",
    "policies:map_labels",
    "campaigns:list", "campaigns:detail", "campaigns:sign", "campaigns:thanks",
    "campaigns:verify", "campaigns:jurisdictions", "campaigns:challenge", "campaigns:share_image",
    "delivery:accountability", "workspace:sign_in",
    "residents:lookup", "residents:write", "residents:preview", "residents:sent",
    "residents:call", "residents:privacy",
    "opendata:data", "opendata:file",
}  # fmt: skip
# Public JSON API: every operation under /api/v1/ is public and read-only.
PUBLIC_NAMESPACES = {"api"}
# The sign-in flow itself: any signed-in staff account (login_required).
SIGN_IN_FLOW = {"two_factor"}
# Public views that answer 403 to a bad token by design.
TOKEN_VIEWS = {"staff_login"}
ADMIN_NAMESPACE = "admin"

PERSONAS = ("anonymous", "member", "staff_without_role", *ROLES)


@dataclass(frozen=True)
class Route:
    name: str
    callback: Any
    url: str


def _kwargs_for(pattern: URLPattern) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, converter in pattern.pattern.converters.items():
        if isinstance(converter, IntConverter):
            values[key] = 999_999
        elif isinstance(converter, PathConverter):
            values[key] = "ocd-division/country:us/state:zz"
        else:
            values[key] = "zz-no-such-thing"
    return values


def _walk(resolver: URLResolver, namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if entry.namespace else namespace
            yield from _walk(entry, inner.strip(":"))
        elif entry.name:
            yield (f"{namespace}:{entry.name}".strip(":"), entry)
        else:
            yield (f"{namespace}:<unnamed {entry.pattern}>".strip(":"), entry)


def routes() -> list[Route]:
    found = []
    for name, pattern in _walk(get_resolver()):
        if name.split(":")[0] == ADMIN_NAMESPACE:
            continue
        url = ""
        if "<unnamed" not in name:
            url = reverse(name, kwargs=_kwargs_for(pattern))
        found.append(Route(name, pattern.callback, url))
    return found


def _required(route: Route) -> str | None:
    return getattr(route.callback, "required_permission", None)


def _is_public(route: Route) -> bool:
    return route.name in PUBLIC or route.name.split(":")[0] in PUBLIC_NAMESPACES


def test_every_url_has_a_rule():
    missing = [
        r.name
        for r in routes()
        if not _is_public(r) and not _required(r) and r.name not in SIGN_IN_FLOW
    ]
    assert not missing, (
        "These views have no permission rule: decorate them with "
        "firstline.core.permissions.staff_permission_required(<capability>), "
        f"or list them as public in this test: {missing}"
    )
    public_and_guarded = [r.name for r in routes() if _is_public(r) and _required(r)]
    assert not public_and_guarded, public_and_guarded


@pytest.fixture
def clients(django_user_model) -> dict[str, Client]:
    made: dict[str, Client] = {"anonymous": Client()}
    member = django_user_model.objects.create_user("member", "m@example.org", "x")
    made["member"] = Client()
    made["member"].force_login(member)
    bare = django_user_model.objects.create_user("bare", "b@example.org", "x", is_staff=True)
    made["staff_without_role"] = Client()
    made["staff_without_role"].force_login(bare)
    for role in ROLES:
        user = get_user_model().objects.create_user(role, f"{role}@example.org", "x", is_staff=True)
        user.groups.set([Group.objects.get(name=role)])
        made[role] = Client()
        made[role].force_login(user)
    return made


def _allowed(persona: str, permission: str) -> bool:
    if persona not in ROLES:
        return False
    return permission.split(".", 1)[1] in ROLES[persona]


@pytest.mark.django_db
def test_role_matrix(clients):
    checked = 0
    failures = []
    for route in routes():
        permission = _required(route)
        if permission is None:
            continue
        for persona in PERSONAS:
            for method in ("get", "post"):
                response = getattr(clients[persona], method)(route.url)
                status = response.status_code
                to_login = status == 302 and "/login/" in response.get("Location", "")
                if _allowed(persona, permission):
                    ok = status != 403 and not to_login
                elif persona == "anonymous":
                    ok = to_login
                else:
                    ok = status == 403
                checked += 1
                if not ok:
                    failures.append(f"{method.upper()} {route.url} as {persona}: {status}")
    assert not failures, "\n".join(failures)
    assert checked >= 2 * len(PERSONAS)  # at least one protected view was walked


@pytest.mark.django_db
def test_public_views_need_no_login():
    client = Client()
    for route in routes():
        if not _is_public(route) or not route.url or route.name.startswith("api:"):
            continue
        response = client.get(route.url)
        assert response.status_code != 403 or route.name in TOKEN_VIEWS, route.name
        assert not (response.status_code == 302 and "/login/" in response["Location"]), route.name


def test_every_role_has_its_group(db):
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLES)
