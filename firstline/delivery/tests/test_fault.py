"""SIGKILL the real db_worker mid-run, restart it: no letter lost, none sent twice.

The worker runs as a subprocess on a clone of the test database and sends to
the loopback SMTP sink; the sink's Message-IDs are the proof.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter

import pytest
from django.db import connections

from firstline import testing
from firstline.delivery.models import Delivery, DeliveryStatus

COUNT = 300


def _worker(env):
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--queue-name", "*", "--interval", "0.1", "--no-reload",
         "--no-startup-delay"],
        cwd=testing.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip


@pytest.mark.e2e
def test_sigkill_mid_run_loses_nothing_and_sends_nothing_twice(
    django_db_setup, django_db_blocker, smtp_sink
):
    with django_db_blocker.unblock():
        db = testing.clone_test_database("fault")
    alias = f"fault_{uuid.uuid4().hex[:6]}"
    connections.databases[alias] = {**connections["default"].settings_dict, "NAME": db["NAME"]}
    env = testing.env_for_database(db)
    env.update(
        {
            "FIRSTLINE_ENV": "test", "DELIVERY_MODE": "smtp", "EMAIL_HOST": smtp_sink.host,
            "EMAIL_PORT": str(smtp_sink.port), "DELIVERY_LEASE_SECONDS": "3", "DELIVERY_BATCH_SIZE": "10",
            "DELIVERY_PER_DOMAIN_PER_MINUTE": "100000", "DELIVERY_BACKOFF_SECONDS": "1",
        }
    )  # fmt: skip
    workers = []
    try:
        seed = subprocess.run(
            [sys.executable, "manage.py", "delivery_seed", "--slug", "fault", "--synthetic", str(COUNT),
             "--switch-on", "--start"],
            cwd=testing.BASE_DIR, env=env, check=False, capture_output=True, timeout=300,
        )  # fmt: skip
        assert seed.returncode == 0, seed.stderr.decode()[-3000:]
        kills = 0
        for threshold in (COUNT // 5, COUNT // 2):
            worker = _worker(env)
            workers.append(worker)
            deadline = time.monotonic() + 120
            while len(smtp_sink.messages) < threshold and time.monotonic() < deadline:
                assert worker.poll() is None, worker.stderr.read().decode() if worker.stderr else ""
                time.sleep(0.01)
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait()
            kills += 1
        # While the sink refuses, the restarted worker retries with backoff.
        smtp_sink.refuse = True
        workers.append(_worker(env))
        time.sleep(4)
        smtp_sink.refuse = False
        with django_db_blocker.unblock():
            rows = Delivery.objects.using(alias).filter(campaign__slug="fault")
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline:
                if rows.filter(status=DeliveryStatus.SENT).count() == COUNT:
                    break
                time.sleep(0.25)
            statuses = Counter(rows.values_list("status", flat=True))
            expected = set(rows.values_list("message_id", flat=True))
            retried = rows.filter(attempts__gt=1).count()
        assert statuses == {DeliveryStatus.SENT: COUNT}, statuses
        received = Counter(m["Message-ID"] for m in smtp_sink.messages)
        # No letter lost: every stamped id arrived; nothing else arrived.
        assert set(received) == expected and len(expected) == COUNT
        # None sent twice, except at most the one message per kill that was in
        # the server's hands when the worker died -- and that one carries the
        # same Message-ID, so it is identifiable (docs/delivery.md).
        duplicates = sum(n - 1 for n in received.values())
        assert duplicates <= kills, received.most_common(3)
        print(f"sent={COUNT} kills={kills} duplicates_by_id={duplicates} retried={retried}")
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.terminate()
                worker.wait(timeout=10)
        connections[alias].close()
        del connections.databases[alias]
        with django_db_blocker.unblock():
            testing.drop_cloned_database(db)
