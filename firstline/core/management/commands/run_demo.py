"""Run the whole app in the foreground: gunicorn, a db_worker, the periodic loop.

Prints the URL and a one-time staff login link. Ctrl-C stops everything.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from firstline.core.services import demo_staff_accounts_reset, staff_login_link_create
from firstline.core.supervise import Supervised, supervise


class Command(BaseCommand):
    help = "Run web (gunicorn) + task worker + periodic jobs in the foreground, for the demo."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--web-workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2"))
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("collectstatic", "--noinput", verbosity=0)
        accounts = demo_staff_accounts_reset()
        admin = get_user_model().objects.get(username="demo-admin")
        base = f"http://{options['host']}:{options['port']}"
        link = base + staff_login_link_create(user=admin)

        python = sys.executable
        web = Supervised(
            "web",
            [
                python, "-m", "gunicorn", "firstline.wsgi:application",
                "--bind", f"{options['host']}:{options['port']}",
                "--workers", str(options["web_workers"]), "--worker-class", "sync",
                "--log-level", "warning",
            ],
            restart=False,  # gunicorn's master restarts its own workers
        )  # fmt: skip
        worker = Supervised(
            "worker", [python, "manage.py", "db_worker", "--queue-name", "*", "--no-reload"]
        )
        periodic = Supervised("periodic", [python, "manage.py", "run_periodic"])
        supervised = [web, worker, periodic]
        for item in supervised:
            item.start(cwd=str(settings.BASE_DIR))
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Firstline is running at {base}/"))
        self.stdout.write(
            f"  Database: {settings.DATABASES['default']['NAME']}  Delivery mode: {settings.DELIVERY_MODE}"
        )
        self.stdout.write(f"  One-time staff login (valid 1 hour, once): {link}")
        self.stdout.write(f"  Staff accounts, one per role (sign in at {base}/admin/login/):")
        for role, username, password in accounts:
            self.stdout.write(f"    {role:<11} {username} / {password}")
        self.stdout.write("  Press Ctrl-C to stop.")

        stopping = False

        def stop(*_: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            supervise(supervised, should_stop=lambda: stopping, log=self.stderr.write)
        finally:
            for item in supervised:
                item.stop()
