"""``manage.py import_zctas``: ZCTAs and their overlaps with counties and places."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from firstline.geo.importers import DEFAULT_DIR, zctas_import
from firstline.lib.importing import Counts, ImportCommand


class Command(ImportCommand):
    help = "Load ZCTAs (ZIP code areas) and their land-area overlaps with counties and places. Run after import_census."
    label = "import_zctas"

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--dir",
            type=Path,
            default=DEFAULT_DIR,
            help="Folder holding the Census files (plain or .gz).",
        )

    def run_import(self, **options: Any) -> Counts:
        return zctas_import(directory=options["dir"])
