"""Run every importer over the data bundled in ``data/``, in dependency order.

Each app lists its steps in ``firstline/<app>/bundled.py`` as
``STEPS = [("import_x", ["arg", ...]), ...]``; apps run in INSTALLED_APPS order
(geo, officials, policies, campaigns, ...), so a step may rely on earlier apps.
"""

from __future__ import annotations

import importlib
import time
from typing import Any

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


def bundled_steps() -> list[tuple[str, list[str]]]:
    steps: list[tuple[str, list[str]]] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("firstline."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.bundled")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.bundled":
                raise
            continue
        steps.extend(module.STEPS)
    return steps


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
