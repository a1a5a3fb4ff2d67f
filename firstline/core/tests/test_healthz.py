"""/healthz: 200 when the database answers and a task worker beats, 503
naming the failing part otherwise; checked against a real db_worker."""

import datetime as dt
import json
import signal
import time
import urllib.error
import urllib.request

import pytest
from django.test import Client
from django.utils import timezone

from firstline import testing
from firstline.core.models import WorkerHeartbeat
from firstline.core.selectors import HEARTBEAT_STALE_SECONDS


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _wait_status(url: str, status: int, timeout: float = 40) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        got, body = _get(url)
        if got == status or time.monotonic() > deadline:
            assert got == status, body
            return body
        time.sleep(0.5)


@pytest.mark.django_db
def test_a_stale_heartbeat_is_a_failing_worker():
    client = Client()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["worker"] and response.json()["database"] == "ok"
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        worker_id="w1", queues="*", started_at=now,
        beat_at=now - dt.timedelta(seconds=HEARTBEAT_STALE_SECONDS + 5),
    )  # fmt: skip
    assert client.get("/healthz").status_code == 503
    WorkerHeartbeat.objects.filter(worker_id="w1").update(beat_at=now)
    fresh = client.get("/healthz")
    assert fresh.status_code == 200 and fresh.json()["workers"] == 1
    assert fresh["Cache-Control"].startswith("max-age=0")
    assert client.post("/healthz").status_code == 405


def test_healthz_follows_a_real_worker(django_db_setup, django_db_blocker):
    # Not transaction=True: its teardown would flush the session's national data.
    with (
        django_db_blocker.unblock(),
        testing.app_server("healthz", with_worker=False, workers=1) as server,
    ):
        url = server.url + "/healthz"
        body = _wait_status(url, 503)
        assert body["failing"] == ["worker"] and body["database"] == "ok"
        worker = server.start_worker()
        body = _wait_status(url, 200)
        assert body["status"] == "ok" and body["workers"] == 1
        # A clean stop removes the worker's heartbeat: unhealthy at once.
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
        assert _wait_status(url, 503, timeout=5)["failing"] == ["worker"]


def test_a_worker_started_during_a_long_write_lock_waits_and_runs(
    django_db_setup, django_db_blocker
):
    """SQLite: a worker that starts while another writer holds the database
    longer than the busy timeout waits for it instead of exiting, then beats."""
    import sqlite3

    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the database-wide write lock and its timeout are SQLite's")
    with (
        django_db_blocker.unblock(),
        testing.app_server("lockstart", with_worker=False, workers=1) as server,
    ):
        holder = sqlite3.connect(server.db["NAME"], timeout=30, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            worker = server.start_worker()
            time.sleep(15)  # past the 10 s busy timeout
            assert worker.poll() is None, (
                worker.stderr.read().decode()[-3000:] if worker.stderr else ""
            )
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        body = _wait_status(server.url + "/healthz", 200, timeout=60)
        assert body["workers"] == 1 and worker.poll() is None
