"""``manage.py import_census``: states, counties and places from data/census/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from firstline.geo.importers import DEFAULT_DIR, census_import
from firstline.lib.importing import Counts, ImportCommand


class Command(ImportCommand):
    help = "Load the 50 states + DC, their counties and places (Census 2025 Gazetteer, us_geo). Idempotent."
    label = "import_census"

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--dir",
            type=Path,
            default=DEFAULT_DIR,
            help="Folder holding the Census files (plain or .gz).",
        )

    def run_import(self, **options: Any) -> Counts:
        return census_import(directory=options["dir"])
