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
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.db import connections
from django.db.utils import OperationalError
from django_tasks_db.management.commands.db_worker import Command as LibraryCommand
from django_tasks_db.utils import is_locked_database_exception

logger = logging.getLogger("firstline.worker")

FIRST_DELAY_SECONDS = 1.0
MAX_DELAY_SECONDS = 30.0
# A loop that ran this long before failing was healthy: start the backoff over.
HEALTHY_AFTER_SECONDS = 60.0


class Command(LibraryCommand):
    help = "Run a database task worker; survives database lock timeouts (restarts with backoff)."

    def handle(self, *args: Any, **options: Any) -> None:
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
