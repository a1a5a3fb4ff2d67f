"""django-tasks-db's ``db_worker``, kept alive through database lock timeouts.

On SQLite, a writer that holds the database longer than ``busy_timeout`` can
make the worker's own bookkeeping (claiming a task, recording its result)
raise "database is locked" outside the library's retry, and the process
exits while the web tier keeps accepting work (the sign-on lock test in
campaigns/tests/test_e2e.py shows it). This command is the library's (same
options, same name, so every documented command line stays valid; core is
listed before django_tasks_db in INSTALLED_APPS so Django picks it) and
restarts the worker loop with backoff on that one error. A task interrupted
that way is picked up again by its app's sweep (mail and delivery claim their
rows, so nothing is sent twice). Any other error still stops the process for
the supervisor to restart (docs/deploy/).

While it runs, a thread records a heartbeat row every few seconds
(``core.WorkerHeartbeat``), which ``/healthz`` reads: the web tier can tell
that tasks are being taken. A clean stop deletes the row.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import DatabaseError, OperationalError
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Command as LibraryCommand
from django_tasks_db.utils import is_locked_database_exception

from firstline.core.selectors import HEARTBEAT_SECONDS
from firstline.core.services import worker_heartbeat_clear, worker_heartbeat_record

logger = logging.getLogger("firstline.worker")

FIRST_DELAY_SECONDS = 1.0
MAX_DELAY_SECONDS = 30.0
# A loop that ran this long before failing was healthy: start the backoff over.
HEALTHY_AFTER_SECONDS = 60.0
MAX_START_WAIT_SECONDS = 300.0


class Command(LibraryCommand):
    help = "Run a database task worker; survives database lock timeouts (restarts with backoff)."

    def execute(self, *args: Any, **options: Any) -> str | None:
        _sqlite_probe_surviving_locks()
        return super().execute(*args, **options)

    def handle(self, *args: Any, **options: Any) -> None:
        worker_id, stop = options["worker_id"], threading.Event()
        beating = threading.Thread(
            target=_beat,
            kwargs={"worker_id": worker_id, "queues": options["queue_name"], "stop": stop},
            name="heartbeat",
            daemon=True,
        )
        beating.start()
        try:
            self._run_surviving_locks(*args, **options)
        finally:
            stop.set()
            beating.join(timeout=HEARTBEAT_SECONDS)
            try:
                worker_heartbeat_clear(worker_id=worker_id)
            except DatabaseError:
                logger.warning("could not remove this worker's heartbeat; it goes stale")

    def _run_surviving_locks(self, *args: Any, **options: Any) -> None:
        delay = FIRST_DELAY_SECONDS
        while True:
            started = time.monotonic()
            try:
                super().handle(*args, **options)
                return
            except OperationalError as exc:
                if not is_locked_database_exception(exc):
                    raise
                if time.monotonic() - started > HEALTHY_AFTER_SECONDS:
                    delay = FIRST_DELAY_SECONDS
                logger.warning("database locked; the worker resumes in %.0f s", delay)
                connections.close_all()
                time.sleep(delay)
                delay = min(delay * 2, MAX_DELAY_SECONDS)


def _sqlite_probe_surviving_locks() -> None:
    """Django probes SQLite's JSON support (for the start-up model checks) in
    a write transaction; a writer holding the database past busy_timeout makes
    the probe answer "no" and the checks then stop the worker (fields.E180).
    SQLite has had JSON built in since 3.38, so "no" means "locked": probe
    again with backoff, for up to MAX_START_WAIT_SECONDS, before the checks."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "sqlite":
        return
    delay, deadline = FIRST_DELAY_SECONDS, time.monotonic() + MAX_START_WAIT_SECONDS
    while not connection.features.supports_json_field and time.monotonic() < deadline:
        logger.warning("database locked at start; the worker retries in %.0f s", delay)
        del connection.features.supports_json_field  # a cached_property: probe again
        time.sleep(delay)
        delay = min(delay * 2, MAX_DELAY_SECONDS)


def _beat(*, worker_id: str, queues: str, stop: threading.Event) -> None:
    """Record a heartbeat now and every HEARTBEAT_SECONDS until ``stop``. A
    failed beat (a locked or unreachable database) is logged and retried at
    the next one: health reporting never stops the worker."""
    started = timezone.now()
    while True:
        try:
            worker_heartbeat_record(worker_id=worker_id, queues=queues, started_at=started)
        except DatabaseError as exc:
            logger.warning("heartbeat not recorded: %s", exc)
        finally:
            # This thread's own connection; never held across the sleep.
            connections.close_all()
        if stop.wait(HEARTBEAT_SECONDS):
            return
