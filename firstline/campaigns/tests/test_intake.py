"""The sign-on intake: stored encrypted in one statement, applied exactly once by the worker."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.db.models import Sum
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from firstline import testing
from firstline.campaigns import abuse, intake, services
from firstline.campaigns.models import CampaignStatus, Signature, SignOnIntake
from firstline.campaigns.tests import factories
from firstline.lib import crypto
from firstline.lib.pow import pow_challenge_create, pow_payload, pow_solve
from firstline.mail.models import Email


def fields(i: int = 0, **kw: object) -> dict[str, object]:
    data: dict[str, object] = {
        "org_name": f"Org {i}",
        "org_website": "",
        "org_type": "local",
        "home_jurisdiction_id": factories.harris().pk,
        "contact_name": f"Ana {i}",
        "contact_email": f"ana{i}@example.org",
        "contact_role": "Director",
        "language": "en",
    }
    data.update(kw)
    return data


def screen(email: str, client: str = "client-a") -> abuse.Screen:
    challenge = pow_challenge_create(max_number=500)
    number = pow_solve(challenge)
    assert number is not None
    return abuse.signon_screen_plan(
        client=client,
        email_hash=crypto.lookup_hash(email),
        pow_payload=pow_payload(challenge, number),
    )


@pytest.mark.django_db
def test_stored_encrypted_in_one_statement_then_applied():
    campaign = factories.campaign()
    verdict, stored = intake.intake_submit(
        campaign=campaign, fields=fields(1), screen=screen("ana1@example.org")
    )
    assert verdict == abuse.Verdict.OK and stored
    with connection.cursor() as cursor:
        cursor.execute("SELECT payload FROM campaigns_signonintake")
        (raw,) = cursor.fetchone()
    assert raw.startswith("fe1:") and "ana1" not in raw and "Ana" not in raw
    assert not Signature.objects.exists()
    result = intake.intake_process()
    assert (result.applied, result.failed) == (1, 0)
    sig = Signature.objects.get()
    assert sig.contact_email == "ana1@example.org" and sig.organization.name == "Org 1"
    assert not SignOnIntake.objects.exists()
    assert Email.objects.get().to == "ana1@example.org"


@pytest.mark.django_db
def test_refused_sign_ons_store_nothing_and_replays_are_refused():
    campaign = factories.campaign()
    spent = screen("a@example.org")
    assert intake.intake_submit(campaign=campaign, fields=fields(1), screen=spent)[1]
    verdict, stored = intake.intake_submit(campaign=campaign, fields=fields(2), screen=spent)
    assert verdict == abuse.Verdict.POW_FAILED and not stored
    assert SignOnIntake.objects.count() == 1
    # The database re-checks the campaign, whatever the caller believed.
    type(campaign).objects.filter(pk=campaign.pk).update(status=CampaignStatus.CLOSED)
    verdict, stored = intake.intake_submit(
        campaign=campaign, fields=fields(3), screen=screen("c@example.org")
    )
    assert verdict == abuse.Verdict.OK and not stored
    assert SignOnIntake.objects.count() == 1


@pytest.mark.django_db
def test_batches_apply_resubmissions_as_updates():
    campaign = factories.campaign()
    for i in range(5):
        intake.intake_add(campaign=campaign, fields=fields(i))
    for i in (1, 3):
        intake.intake_add(campaign=campaign, fields=fields(i, contact_name=f"Ana {i} again"))
    result = intake.intake_process(batch_size=3)
    assert (result.applied, result.failed, result.batches) == (7, 0, 3)
    assert Signature.objects.count() == 5
    assert Signature.objects.aggregate(n=Sum("submit_count"))["n"] == 7
    again = Signature.objects.get(email_hash=crypto.lookup_hash("ana3@example.org"))
    assert again.contact_name == "Ana 3 again"
    assert Email.objects.filter(kind="signature_verify").count() == 7
    assert not SignOnIntake.objects.exists()


@pytest.mark.django_db
def test_a_database_error_mid_batch_applies_nothing_of_it(monkeypatch):
    """What a worker killed mid-batch leaves: the batch's transaction rolled
    back, every row still waiting; the next run applies each exactly once."""
    campaign = factories.campaign()
    for i in range(6):
        intake.intake_add(campaign=campaign, fields=fields(i))
    calls = {"n": 0}
    real = services.signature_apply

    def flaky(**kw: object) -> object:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OperationalError("server closed the connection unexpectedly")
        return real(**kw)

    monkeypatch.setattr(services, "signature_apply", flaky)
    with pytest.raises(OperationalError):
        intake.intake_process(batch_size=6)
    assert SignOnIntake.objects.count() == 6
    assert not Signature.objects.exists() and not Email.objects.exists()
    monkeypatch.setattr(services, "signature_apply", real)
    assert intake.intake_process().applied == 6
    assert Signature.objects.count() == 6 and Email.objects.count() == 6


@pytest.mark.django_db
def test_unappliable_rows_are_kept_for_staff_and_the_rest_go_on(staff_client):
    campaign = factories.campaign()
    intake.intake_add(campaign=campaign, fields=fields(1))
    other_key = crypto.generate_key()
    with override_settings(FIELD_ENCRYPTION_KEYS=[other_key]):
        intake.intake_add(campaign=campaign, fields=fields(2))  # a key we will not have
    intake.intake_add(campaign=campaign, fields=fields(3))
    result = intake.intake_process()
    assert (result.applied, result.failed) == (2, 1)
    bad = SignOnIntake.objects.get()
    assert bad.failed_at and "cannot decrypt" in bad.last_error and bad.attempts == 1
    # A failed row is not retried on its own ...
    assert intake.intake_process().applied == 0
    # ... staff retry it once the key is back (admin action).
    page = staff_client.get("/admin/campaigns/signonintake/")
    assert page.status_code == 200 and "cannot decrypt" in page.text and "ana2" not in page.text
    staff_client.post(
        "/admin/campaigns/signonintake/", {"action": "retry", "_selected_action": [bad.pk]}
    )
    assert SignOnIntake.objects.get().failed_at is None
    with override_settings(FIELD_ENCRYPTION_KEYS=[other_key, *settings.FIELD_ENCRYPTION_KEYS]):
        assert intake.intake_process().applied == 1
    assert Signature.objects.count() == 3


@pytest.mark.django_db
def test_failed_rows_are_purged_with_unconfirmed_signatures():
    campaign = factories.campaign()
    intake.intake_add(
        campaign=campaign,
        fields=fields(1),
        received_at=timezone.now() - timedelta(days=settings.SIGNATURE_PURGE_DAYS + 1),
    )
    type(campaign).objects.filter(pk=campaign.pk).update(status=CampaignStatus.CLOSED)
    assert intake.intake_process().failed == 1
    assert services.signatures_purge() == 1
    assert not SignOnIntake.objects.exists()


@pytest.mark.django_db
def test_a_kick_enqueues_one_task_per_window_due_at_its_end():
    intake.intake_kick_reset()
    assert intake.intake_kick(now=1_000_000.0)
    assert not intake.intake_kick(now=1_000_000.9)
    assert intake.intake_kick(now=1_000_001.0)
    tasks = DBTaskResult.objects.filter(task_path__endswith="process_signon_intake")
    due = sorted(t.run_after.timestamp() for t in tasks)
    assert due == [1_000_000.0 + intake.KICK_SECONDS, 1_000_001.0 + intake.KICK_SECONDS]
    intake.intake_kick_reset()


@pytest.mark.django_db
def test_key_rotation_covers_waiting_sign_ons():
    k1, k2 = crypto.generate_key(), crypto.generate_key()
    campaign = factories.campaign()
    with override_settings(FIELD_ENCRYPTION_KEYS=[k1]):
        intake.intake_add(campaign=campaign, fields=fields(1))
    with override_settings(FIELD_ENCRYPTION_KEYS=[k2, k1]):
        assert intake.intake_rotate_keys() == {"total": 1, "reencrypted": 1}
    with override_settings(FIELD_ENCRYPTION_KEYS=[k2]):
        assert intake.intake_process().applied == 1


# --- Real worker processes on a committed copy of the database -------------------

SEED = """
from firstline.campaigns import intake
from firstline.campaigns.tests import factories
campaign = factories.campaign()
for i in range({rows}):
    n = i % {distinct}  # every key {repeats} times, spread over all batches
    intake.intake_add(campaign=campaign, fields=dict(
        org_name=f"Org {{n}}", org_website="", org_type="local",
        home_jurisdiction_id=factories.harris().pk, contact_name=f"Ana {{i}}",
        contact_email=f"ana{{n}}@example.org", contact_role="", language="en"))
"""
APPLY = "from firstline.campaigns.intake import intake_process; intake_process(batch_size=20)"


def _manage(env: dict[str, str], code: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        stderr=subprocess.PIPE,
    )


@pytest.mark.e2e
def test_concurrent_and_killed_workers_apply_every_row_exactly_once(
    django_db_setup, django_db_blocker
):
    """Three worker processes drain one intake at once (a re-submission and
    its original in different batches), one more is SIGKILLed mid-batch and
    the rest is drained after: every sign-on applied once, none lost."""
    rows, distinct = 600, 150
    with django_db_blocker.unblock():
        db = testing.clone_test_database("intake")
        alias = "intake_clone"
        from django.db import connections

        connections.databases[alias] = {**connection.settings_dict, "NAME": db["NAME"]}
        env = {**testing.env_for_database(db), "FIRSTLINE_ENV": "test"}
        try:
            seed = _manage(env, SEED.format(rows=rows, distinct=distinct, repeats=rows // distinct))
            assert seed.wait(timeout=300) == 0, seed.stderr.read() if seed.stderr else ""
            assert SignOnIntake.objects.using(alias).count() == rows

            victim = _manage(env, APPLY)
            deadline = time.monotonic() + 120
            while SignOnIntake.objects.using(alias).count() > rows - 60:
                assert time.monotonic() < deadline and victim.poll() is None
                time.sleep(0.02)
            victim.send_signal(signal.SIGKILL)
            victim.wait(timeout=30)
            left = SignOnIntake.objects.using(alias).count()
            assert 0 < left < rows, "the kill should land while rows remain"

            workers = [_manage(env, APPLY) for _ in range(3)]
            for worker in workers:
                assert worker.wait(timeout=300) == 0, worker.stderr.read() if worker.stderr else ""

            signatures = Signature.objects.using(alias)
            assert not SignOnIntake.objects.using(alias).exists()
            assert signatures.count() == distinct
            assert signatures.aggregate(n=Sum("submit_count"))["n"] == rows
            assert Email.objects.using(alias).filter(kind="signature_verify").count() == rows
        finally:
            connections[alias].close()
            del connections.databases[alias]
            testing.drop_cloned_database(db)
