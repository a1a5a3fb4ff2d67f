from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser

from firstline.lib.importing import Counts, ImportCommand
from firstline.policies.importers import import_evidence


class Command(ImportCommand):
    help = "Load cited state and local evidence (state_evidence.csv) as versioned policy records."
    label = "import_evidence"

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "file",
            nargs="?",
            default=str(Path(settings.BASE_DIR) / "data/policies/state_evidence.csv"),
        )
        parser.add_argument(
            "--as-of", default="2026-11-29", help="Date of the research behind the file (ISO)."
        )

    def run_import(self, **options: Any) -> Counts:
        try:
            as_of = dt.date.fromisoformat(options["as_of"])
        except ValueError as exc:
            raise CommandError(f"--as-of: not an ISO date: {options['as_of']!r}") from exc
        return import_evidence(Path(options["file"]), as_of=as_of)
