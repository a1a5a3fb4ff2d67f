"""Apply the curated overlay of current governors, lieutenant governors and attorneys general."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from firstline.lib.importing import Counts, ImportCommand
from firstline.officials.importers_statewide import OVERLAY_CSV, statewide_overlay_apply


class Command(ImportCommand):
    help = (
        "Set the current holders of the statewide executive seats from a sourced CSV "
        "(default: data/officials/statewide_executives.csv) and end stale terms."
    )
    label = "apply_statewide_overlay"

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("path", nargs="?", default=str(OVERLAY_CSV))

    def run_import(self, **options: Any) -> Counts:
        return statewide_overlay_apply(path=Path(options["path"]))
