"""Run every importer over the data bundled in ``data/``, in dependency order.

Each app lists its steps in ``firstline/<app>/bundled.py`` as
``STEPS = [("import_x", ["arg", ...]), ...]``; apps run in INSTALLED_APPS order
(geo, officials, policies, campaigns, ...), so a step may rely on earlier apps.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from firstline.core.discovery import app_modules


def bundled_steps() -> list[tuple[str, list[str]]]:
    return [item for module in app_modules("bundled") for item in module.STEPS]


class Command(BaseCommand):
    help = "Load (or refresh) all bundled data. Idempotent: a second run reports only no-ops."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--only", default="", help="Comma-separated command names to run.")

    def handle(self, *args: Any, **options: Any) -> None:
        only = {s for s in options["only"].split(",") if s}
        started = time.monotonic()
        for name, step_args in bundled_steps():
            if only and name not in only:
                continue
            extra = ["--dry-run"] if options["dry_run"] else []
            call_command(
                name,
                *step_args,
                *extra,
                stdout=self.stdout,
                stderr=self.stderr,
                verbosity=options["verbosity"],
            )
        self.stdout.write(f"load_bundled: done in {time.monotonic() - started:.1f}s")
