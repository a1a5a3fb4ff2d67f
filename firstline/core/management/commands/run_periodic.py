"""Enqueue each app's periodic maintenance tasks on their intervals.

Apps list jobs in ``firstline/<app>/periodic.py`` as
``JOBS = [(seconds, "firstline.app.tasks.task_name"), ...]``. The tasks run on
the db_worker like any other; this loop only enqueues them, so one
``run_periodic`` per deployment is enough (or call the same tasks from cron:
``manage.py run_periodic --once``).
"""

from __future__ import annotations

import signal
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.module_loading import import_string

from firstline.core.discovery import app_modules


def periodic_jobs() -> list[tuple[int, str]]:
    return [item for module in app_modules("periodic") for item in module.JOBS]


class Command(BaseCommand):
    help = "Enqueue periodic maintenance tasks (retries, purges) on their intervals."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="Enqueue every job once and exit (for cron)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        jobs = periodic_jobs()
        stopping = False

        def stop(*_: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        next_run = {path: 0.0 for _, path in jobs}
        while not stopping:
            now = time.monotonic()
            for seconds, path in jobs:
                if now >= next_run[path]:
                    import_string(path).enqueue()
                    next_run[path] = now + seconds
            if options["once"]:
                return
            time.sleep(1)
