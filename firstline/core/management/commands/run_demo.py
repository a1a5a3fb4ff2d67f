"""Run the whole app in the foreground: gunicorn, a db_worker, the periodic loop.

Prints the URL and a one-time staff login link. Ctrl-C stops everything.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any, cast

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from firstline.core.services import demo_staff_accounts_reset, staff_login_link_create


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
        procs = [
            subprocess.Popen(
                [
                    python,
                    "-m",
                    "gunicorn",
                    "firstline.wsgi:application",
                    "--bind",
                    f"{options['host']}:{options['port']}",
                    "--workers",
                    str(options["web_workers"]),
                    "--worker-class",
                    "sync",
                    # No access log: request lines would hold residents' IPs and ZIPs.
                    "--log-level",
                    "warning",
                ]
            ),
            subprocess.Popen(
                [python, "manage.py", "db_worker", "--queue-name", "*", "--no-reload"],
                cwd=settings.BASE_DIR,
            ),
            subprocess.Popen([python, "manage.py", "run_periodic"], cwd=settings.BASE_DIR),
        ]
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
            while not stopping:
                for proc in procs:
                    if proc.poll() is not None:
                        # Every command above is a list of str.
                        cmd = cast(list[str], proc.args)
                        self.stderr.write(
                            f"{cmd[2] if len(cmd) > 2 else cmd} exited ({proc.returncode}); stopping."
                        )
                        stopping = True
                time.sleep(0.5)
        finally:
            for proc in procs:
                if proc.poll() is None:
                    proc.terminate()
            for proc in procs:
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
