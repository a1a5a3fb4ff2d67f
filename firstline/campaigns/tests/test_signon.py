"""Sign-on guarantees with real processes on a committed copy of the database
(SQLite file in WAL mode, or PostgreSQL, whichever this run uses): every
acknowledged sign-on is stored, duplicates update and never add, and the
migration that dropped the old intake table never loses a waiting sign-on."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, connections
from django.db.models import Sum

from firstline import testing
from firstline.campaigns.models import Campaign, Signature
from firstline.campaigns.tests.factories import LETTER_EN
from firstline.mail.models import Email

# Each process runs two threads (two connections); every submission is
# printed once signature_submit has returned, i.e. once it is acknowledged.
SUBMIT = """
import sys, threading
from django.db import connections
from firstline.campaigns import services
from firstline.campaigns.models import Campaign
from firstline.geo.models import Jurisdiction
campaign = Campaign.objects.get(slug="race")
home = Jurisdiction.objects.get(ocd_id="ocd-division/country:us/state:tx/county:harris")
lock = threading.Lock()
def run(thread):
    try:
        for i in range({rows}):
            n = (i * 7 + thread) % {distinct}
            services.signature_submit(campaign=campaign, org_name=f"Race Org {{n}}",
                org_website=f"https://race{{n}}.example.org", home_jurisdiction=home,
                contact_name=f"Ana {{i}}", contact_email=f"ana{{n}}@example.org")
            with lock:
                print(f"ok {{n}}", flush=True)
    finally:
        connections.close_all()
threads = [threading.Thread(target=run, args=(t,)) for t in range(2)]
for t in threads: t.start()
for t in threads: t.join()
"""


@contextmanager
def _clone(label: str) -> Iterator[tuple[str, dict[str, str]]]:
    db = testing.clone_test_database(label)
    alias = f"{label}_clone"
    connections.databases[alias] = {**connection.settings_dict, "NAME": db["NAME"]}
    env = {**testing.env_for_database(db), "FIRSTLINE_ENV": "test"}
    try:
        yield alias, env
    finally:
        connections[alias].close()
        del connections.databases[alias]
        testing.drop_cloned_database(db)


def _manage(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _acks(out: str) -> list[int]:
    return [int(line.split()[1]) for line in out.splitlines() if line.startswith("ok ")]


@pytest.mark.e2e
def test_concurrent_duplicates_from_processes_and_threads(django_db_setup, django_db_blocker):
    """Three processes of two threads submit the same organizations and emails
    at once; a fourth is SIGKILLed mid-run. Every acknowledged submission is
    counted, none is duplicated, and each stored one queued its email."""
    rows, distinct = 60, 25
    with django_db_blocker.unblock(), _clone("signon") as (alias, env):
        Campaign.objects.using(alias).create(
            slug="race", title="Race", letter_en=LETTER_EN, status="collecting"
        )
        code = SUBMIT.format(rows=rows, distinct=distinct)
        victim = _manage(env, "shell", "-c", code)
        assert victim.stdout is not None
        seen = 0
        while seen < 10:  # let it acknowledge a few first
            line = victim.stdout.readline()
            assert line or victim.poll() is None, victim.stderr.read() if victim.stderr else ""
            seen += line.startswith("ok ")
        workers = [_manage(env, "shell", "-c", code) for _ in range(3)]
        victim.send_signal(signal.SIGKILL)
        victim_out, _err = victim.communicate(timeout=60)
        acked = 10 + len(_acks(victim_out))
        for worker in workers:
            out, err = worker.communicate(timeout=600)
            assert worker.returncode == 0, err
            assert len(_acks(out)) == 2 * rows
            acked += len(_acks(out))

        signatures = Signature.objects.using(alias).filter(campaign__slug="race")
        assert signatures.count() == distinct
        assert signatures.values("organization_id", "email_hash").distinct().count() == distinct
        counted = signatures.aggregate(n=Sum("submit_count"))["n"]
        # The victim may have committed one submission per thread that it
        # never got to print: stored, but not acknowledged.
        assert acked <= counted <= acked + 2
        emails = Email.objects.using(alias).filter(kind="signature_verify").count()
        assert emails == counted


def _table_exists(alias: str, table: str) -> bool:
    return table in connections[alias].introspection.table_names()


@pytest.mark.e2e
def test_dropping_the_old_intake_refuses_while_sign_ons_wait(django_db_setup, django_db_blocker):
    """Migration 0004 drops the intake table of the previous release only when
    it is empty: a waiting row was acknowledged to its signer."""
    with django_db_blocker.unblock(), _clone("intake") as (alias, env):

        def migrate(target: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [sys.executable, "manage.py", "migrate", "campaigns", target, "--noinput"],
                cwd=settings.BASE_DIR,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )

        assert migrate("0003").returncode == 0
        connections[alias].close()
        assert _table_exists(alias, "campaigns_signonintake")
        campaign_id = _any_campaign(alias)
        with connections[alias].cursor() as cursor:
            cursor.execute(
                "INSERT INTO campaigns_signonintake (campaign_id, received_at, payload, attempts, "
                "last_error) VALUES (%s, CURRENT_TIMESTAMP, 'fe1:x', 0, '')",
                [campaign_id],
            )
        connections[alias].close()
        refused = migrate("0004")
        assert refused.returncode != 0
        assert "1 sign-on(s) are still waiting" in refused.stderr, refused.stderr
        assert _table_exists(alias, "campaigns_signonintake")
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT count(*) FROM campaigns_signonintake")
            assert cursor.fetchone()[0] == 1  # nothing changed
            cursor.execute("DELETE FROM campaigns_signonintake")
        connections[alias].close()
        done = migrate("0004")
        assert done.returncode == 0, done.stderr
        assert not _table_exists(alias, "campaigns_signonintake")


def _any_campaign(alias: str) -> Any:
    # Only the primary key: at an older migration, later columns do not exist yet.
    pk = Campaign.objects.using(alias).values_list("pk", flat=True).first()
    if pk is None:
        with connections[alias].cursor() as cursor:
            cursor.execute(
                "INSERT INTO campaigns_campaign (title, title_es, slug, summary, summary_es, "
                "letter_en, letter_es, languages, status, created_at, updated_at) VALUES "
                "('M', '', 'm', '', '', 'x', '', '[]', 'draft', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        pk = Campaign.objects.using(alias).values_list("pk", flat=True).get(slug="m")
    return pk
