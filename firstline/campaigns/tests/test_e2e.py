"""End to end, on the production server (gunicorn + db_worker) over a clone of
the test database: a browser signs, the email reaches a real SMTP server, the
link confirms, staff approve in the admin, the public page lists the org."""

from __future__ import annotations

import importlib.util
import re
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connections
from playwright.sync_api import expect

from firstline import testing
from firstline.campaigns.models import Campaign, Signature, SignatureStatus
from firstline.campaigns.tests.factories import LETTER_EN, LETTER_ES
from firstline.lib.crypto import lookup_hash
from firstline.mail.models import Email

ORG = "Coalición Inmigrante de Houston & Co"


def _create_campaign(alias: str, slug: str) -> Campaign:
    return Campaign.objects.using(alias).create(
        title="Protect Harris County families",
        title_es="Protejan a las familias del condado de Harris",
        slug=slug,
        letter_en=LETTER_EN,
        letter_es=LETTER_ES,
        languages=["en", "es"],
        status="collecting",
    )


@pytest.fixture(scope="session")
def released_db(django_db_setup, django_db_blocker):
    """Close the database connection earlier tests opened, before Playwright starts.

    Once Playwright's sync API runs an event loop in this thread, Django's
    connection registry (an asgiref Local) resolves in another context and no
    longer sees that connection, so ``clone_test_database`` cannot close it and
    PostgreSQL refuses to copy a database in use. Session-scoped and listed
    before ``page`` so it runs before the session's ``browser`` fixture.
    (The general fix belongs in conftest's ``browser`` fixture.)"""
    with django_db_blocker.unblock():
        connections.close_all()


@pytest.mark.e2e
def test_browser_sign_on_email_link_staff_approval(
    released_db, django_db_blocker, page, smtp_sink, monkeypatch
):
    # Playwright's sync API keeps an idle event loop in this thread; nothing
    # async touches the database (same as residents' e2e test).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # gunicorn serves static files from STATIC_ROOT only: pow.js must be collected.
    call_command("collectstatic", interactive=False, verbosity=0)
    env = {"DELIVERY_MODE": "smtp", "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp_sink.port)}
    with django_db_blocker.unblock(), testing.app_server("signon", extra_env=env) as server:
        with django_db_blocker.unblock():
            _create_campaign(server.alias, "harris-families")
            get_user_model().objects.db_manager(server.alias).create_user(
                "moderator",
                "mod@example.org",
                "correct horse battery",
                is_staff=True,
                is_superuser=True,
            )
        page.goto(server.url + "/es/campaigns/harris-families/")
        assert "Protejan a las familias" in page.content()
        # A failed submit: the errors are summarized at the top, with links to
        # the fields, and the summary has the focus.
        page.wait_for_selector("#pow-status[data-state=solved]", state="attached")
        page.wait_for_timeout(3100)
        page.click("button[type=submit]")
        expect(page.locator("#error-summary")).to_be_focused()
        assert page.locator("#error-summary a[href='#id_org_name']").count() == 1
        assert (
            page.evaluate("document.getElementById('error-summary').getBoundingClientRect().top")
            < 844
        )
        page.fill("#id_org_name", ORG)
        page.fill("#id_org_website", "https://chi.example.org")
        page.check("input[name=org_type][value=local]")
        page.fill("#id_home", "Harris County, TX")
        page.fill("#id_contact_name", "Ana Pérez")
        page.fill("#id_contact_email", "ana@example.org")
        page.fill("#id_contact_role", "Directora")
        # The proof-of-work runs in a worker while a person types; the minimum
        # fill time is three seconds.
        page.wait_for_selector("#pow-status[data-state=solved]", state="attached")
        page.wait_for_timeout(3100)
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r"/es/campaigns/harris-families/thanks/"))
        assert "Revise su correo" in page.content()

        message = smtp_sink.wait_for(1)[0]
        assert message["X-Envelope-To"] == "ana@example.org"
        body = testing.message_text(message)
        assert "Coalición Inmigrante de Houston & Co" in body  # plain text, not HTML-escaped
        link = next(word for word in body.split() if "/confirm/" in word)
        path = urlparse(link).path
        assert path.startswith("/es/campaigns/confirm/")
        page.goto(server.url + path)
        page.click("#confirm-signature")
        # The click starts a navigation; wait for its page, not the old one.
        expect(page.locator("body")).to_contain_text("su firma está confirmada")
        with django_db_blocker.unblock():
            sig = Signature.objects.using(server.alias).get()
            assert sig.status == SignatureStatus.VERIFIED

        # Staff approve in the admin, with the bulk action.
        page.goto(server.url + "/admin/login/?next=/admin/campaigns/signature/")
        page.fill("#id_username", "moderator")
        page.fill("#id_password", "correct horse battery")
        page.click("input[type=submit]")
        page.check(f"input[name=_selected_action][value='{sig.pk}']")
        page.select_option("select[name=action]", "approve")
        page.click("button[name=index]")
        page.wait_for_selector(".messagelist")
        with django_db_blocker.unblock():
            assert Signature.objects.using(server.alias).get().status == SignatureStatus.APPROVED
        # The signer is told, in Spanish, through the outbox and the worker.
        approved = smtp_sink.wait_for(2)[1]
        assert approved["X-Envelope-To"] == "ana@example.org"
        text = testing.message_text(approved)
        assert "Nuestro equipo aprobó la firma" in text and "Qué pasa ahora" in text

        for lang, count_text in (
            ("en", "1 organization has signed"),
            ("es", "1 organización ha firmado"),
        ):
            page.goto(f"{server.url}/{lang}/campaigns/harris-families/")
            html = page.content()
            assert ORG.replace("&", "&amp;") in html and count_text in html


def _bench():
    path = Path(__file__).resolve().parents[3] / "bench" / "signon_burst.py"
    spec = importlib.util.spec_from_file_location("signon_burst", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["signon_burst"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.e2e
def test_concurrent_identical_submissions_never_duplicate(django_db_setup, django_db_blocker):
    """Concurrent POSTs through several gunicorn workers, on this run's database
    engine (SQLite or PostgreSQL): re-submissions race their originals."""
    bench = _bench()
    # Distinct organizations, as the bench simulates them: one address each
    # (X-Forwarded-For, as from our proxy), so every limit is enforced.
    env = {
        "DJANGO_SETTINGS_MODULE": bench.SETTINGS,
        "BEHIND_PROXY": "1",
        "FIRSTLINE_ENV": "development",
    }
    with (
        django_db_blocker.unblock(),
        testing.app_server("burst", extra_env=env, workers=3) as server,
    ):
        with django_db_blocker.unblock():
            _create_campaign(server.alias, "burst")

        figures = bench.run_burst(server.url, requests=150, resubmissions=50, threads=16)
        assert figures["signon_errors"] == 0, figures
        # Acknowledged means stored: counted as soon as the last answer is in.
        with django_db_blocker.unblock():
            qs = Signature.objects.using(server.alias).filter(campaign__slug="burst")
            assert qs.count() == 100
            assert qs.values("organization_id", "email_hash").distinct().count() == 100
            assert sum(qs.values_list("submit_count", flat=True)) == 150
            emails = Email.objects.using(server.alias).filter(kind="signature_verify")
            assert emails.count() == 150


@pytest.mark.e2e
def test_a_long_write_lock_loses_no_acknowledged_sign_on(django_db_setup, django_db_blocker):
    """SQLite: a writer holds the database for 15 s (longer than the 10 s busy
    timeout) while organizations sign. Whatever the server acknowledged is
    stored, each acknowledged sign-on gets its email once the lock is gone, and
    the task worker is still running."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the lock and its timeout are SQLite's")
    import sqlite3
    from concurrent.futures import ThreadPoolExecutor

    bench = _bench()
    env = {
        "DJANGO_SETTINGS_MODULE": bench.SETTINGS,
        "BEHIND_PROXY": "1",
        "FIRSTLINE_ENV": "development",
    }
    with (
        django_db_blocker.unblock(),
        testing.app_server("lock", extra_env=env, workers=3) as server,
    ):
        with django_db_blocker.unblock():
            _create_campaign(server.alias, "lock")
        client = bench.client_for(server.url, "/en/campaigns/lock/")
        payloads = bench.signon_payloads(24, 0, tag=9)
        for fields, solution in zip(payloads, bench.solved_challenges(client, 24), strict=True):
            fields["pow"], fields["form_ts"] = solution, client.form_ts
        time.sleep(max(0.0, client.form_ts_at + 3.5 - time.monotonic()))

        holder = sqlite3.connect(server.db["NAME"], timeout=30, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        with ThreadPoolExecutor(max_workers=8) as pool:
            pending = [pool.submit(client.post, "/en/campaigns/lock/sign/", p) for p in payloads]
            time.sleep(15)
            holder.execute("ROLLBACK")
            holder.close()
            answers = [future.result()[0] for future in pending]
        acknowledged = {
            p["contact_email"] for p, status in zip(payloads, answers, strict=True) if status == 302
        }
        # The first requests wait out the 10 s busy timeout and fail (not
        # acknowledged); later ones are answered once the lock is gone.
        assert set(answers) <= {302, 500, 503}, answers
        assert 500 in answers and 302 in answers, answers
        assert server.worker is not None and server.worker.poll() is None
        with django_db_blocker.unblock():
            stored = Signature.objects.using(server.alias).filter(campaign__slug="lock")
            stored_hashes = set(stored.values_list("email_hash", flat=True))
            # Acknowledged means stored. (A sign-on can also be stored and still
            # answered with an error, when the lock bites after its commit: the
            # organization re-submits and the row is updated, never duplicated.)
            assert {lookup_hash(email) for email in acknowledged} <= stored_hashes
            assert stored.count() == len(stored_hashes) >= len(acknowledged)
            deadline = time.monotonic() + 90
            while True:
                sent = set(
                    Email.objects.using(server.alias)
                    .filter(kind="signature_verify", status="sent")
                    .values_list("to", flat=True)
                )
                if acknowledged <= sent or time.monotonic() > deadline:
                    break
                time.sleep(0.5)
            assert acknowledged <= sent, acknowledged - sent
        assert server.worker.poll() is None, "the worker died"
