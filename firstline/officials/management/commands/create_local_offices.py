"""Create every county and place office that can be targeted, titled from data/officials/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from firstline.lib.importing import Counts, ImportCommand
from firstline.officials.importers_local import DATA_DIR, local_offices_create


class Command(ImportCommand):
    help = (
        "Upsert county governing bodies, sheriffs, chief prosecutors, county executives and place "
        "governing bodies/executives from the per-state tables; remove offices that do not exist."
    )
    label = "create_local_offices"

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("--directory", default=str(DATA_DIR), help="folder of the tables")

    def run_import(self, **options: Any) -> Counts:
        return local_offices_create(directory=Path(options["directory"]))
