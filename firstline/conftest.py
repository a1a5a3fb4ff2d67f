"""Session set-up: the test database holds the whole bundled national dataset.

Loading it takes about a minute, so on SQLite a loaded copy is cached under
``var/test-cache/`` keyed by a hash of the data, the migrations and the
importers, and restored with SQLite's online backup in a second. PostgreSQL
always loads (CI starts fresh anyway).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from firstline import testing

BASE_DIR = Path(settings.BASE_DIR)
# The configured (non-test) database: the session must never write to it.
_CONFIGURED_DB_NAME = settings.DATABASES["default"]["NAME"]

# Playwright's sync API runs an event loop in the test thread, which makes
# Django refuse ORM calls there; e2e tests query the clone DB from that thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _dataset_fingerprint() -> str:
    digest = hashlib.sha256()
    roots = [BASE_DIR / "data", BASE_DIR / "firstline"]
    for root in roots:
        for path in sorted(root.rglob("*")):
            if not path.is_file() or "__pycache__" in path.parts or "/tests/" in str(path):
                continue
            rel = str(path.relative_to(BASE_DIR))
            name = path.name
            if root.name == "firstline" and not (
                "/migrations/" in rel
                or any(
                    word in name for word in ("import", "match", "bundled", "ocd", "load_bundled")
                )
                or name.startswith("create_")
            ):
                continue
            digest.update(rel.encode())
            digest.update(path.read_bytes())
    # Third-party apps bring migrations too: a new dependency or app changes the schema.
    digest.update((BASE_DIR / "uv.lock").read_bytes())
    digest.update(repr(settings.INSTALLED_APPS).encode())
    return digest.hexdigest()[:16]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    # pytest-django creates test databases only for the aliases its collected
    # tests ask for; a run of browser tests alone asks for none, and the data
    # load below would then go into the configured database. Create it here.
    own_setup = None
    with django_db_blocker.unblock():
        if connection.settings_dict["NAME"] == _CONFIGURED_DB_NAME:
            from django.test.utils import setup_databases

            # django-stubs types ``aliases`` as a Mapping; Django only tests membership.
            own_setup = setup_databases(
                verbosity=0,
                interactive=False,
                aliases={"default"},  # type: ignore[arg-type]
            )
        assert connection.settings_dict["NAME"] != _CONFIGURED_DB_NAME
        if connection.vendor == "sqlite":
            cache_dir = BASE_DIR / "var" / "test-cache"
            cache_dir.mkdir(parents=True, exist_ok=True)
            cached = cache_dir / f"national-{_dataset_fingerprint()}.sqlite3"
            connection.ensure_connection()
            if cached.exists():
                source = sqlite3.connect(cached)
                source.backup(connection.connection)
                source.close()
            else:
                call_command("createcachetable", verbosity=0)
                call_command("load_bundled", verbosity=0)
                for old in cache_dir.glob("national-*.sqlite3"):
                    old.unlink()
                tmp = cached.with_suffix(".tmp")
                dest = sqlite3.connect(tmp)
                connection.connection.backup(dest)
                dest.close()
                tmp.rename(cached)
        else:
            call_command("createcachetable", verbosity=0)
            call_command("load_bundled", verbosity=0)
    yield
    if own_setup is not None:
        from django.test.utils import teardown_databases

        with django_db_blocker.unblock():
            teardown_databases(own_setup, verbosity=0)


@pytest.fixture
def staff_user(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user(
        username="staff",
        email="staff@example.org",
        password="correct horse battery",
        is_staff=True,
        is_superuser=True,
    )


@pytest.fixture
def staff_client(client: Any, staff_user: Any) -> Any:
    client.force_login(staff_user)
    return client


@pytest.fixture
def outsider_user(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user(
        username="outsider", password="correct horse battery"
    )


@pytest.fixture
def smtp_sink() -> Iterator[testing.SmtpSink]:
    with testing.smtp_sink() as sink:
        yield sink


@pytest.fixture(scope="session")
def browser(django_db_blocker: Any) -> Iterator[Any]:
    # Once Playwright's event loop runs in this thread, Django treats it as
    # async and will not close connections opened by earlier tests; close
    # them now so PostgreSQL can use the test database as a clone template.
    from django.db import connections

    with django_db_blocker.unblock():
        connections.close_all()
    if not testing.chromium_available():
        pytest.fail(
            "Debian's chromium is required for browser tests (scripts/ensure_debs.sh chromium)"
        )
    from playwright.sync_api import expect, sync_playwright

    # CI machines are shared and slow at times: a step gets 30 s, not 5.
    expect.set_options(timeout=30_000)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=testing.CHROMIUM, args=testing.CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()
