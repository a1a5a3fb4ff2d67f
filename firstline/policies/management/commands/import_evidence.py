from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser

from firstline.lib.importing import Counts, ImportCommand
from firstline.policies.evidence_importer import import_evidence_dir


class Command(ImportCommand):
    help = (
        "Load the bundled evidence directory (states/*.yaml, local/*.yaml): instruments, "
        "provisions, legal events and research checks."
    )
    label = "import_evidence"

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "directory",
            nargs="?",
            default=str(Path(settings.BASE_DIR) / "data/policies/evidence"),
        )
        parser.add_argument(
            "--today", help="Derive legal statuses for this date (ISO) instead of today."
        )

    def run_import(self, **options: Any) -> Counts:
        today = None
        if options.get("today"):
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError(f"--today: not an ISO date: {options['today']!r}") from exc
        return import_evidence_dir(Path(options["directory"]), today=today)
