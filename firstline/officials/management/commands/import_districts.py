"""Load state legislative districts and one office per seat (Open States metadata)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from firstline.geo.signals import geography_changed_on_commit
from firstline.lib.importing import Counts, ImportCommand
from firstline.officials.importers import DISTRICTS_CSV, JURISDICTIONS_JSON, districts_import
from firstline.officials.signals import officials_changed_on_commit


class Command(ImportCommand):
    help = "Import districts.csv (+ jurisdictions.json): every district, every seat, governors and AGs."
    label = "import_districts"

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "districts", nargs="?", default=str(DISTRICTS_CSV), help="districts.csv[.gz]"
        )
        parser.add_argument(
            "--jurisdictions", default=str(JURISDICTIONS_JSON), help="jurisdictions.json"
        )

    def run_import(self, **options: Any) -> Counts:
        officials_changed_on_commit()
        geography_changed_on_commit()  # districts and their ZCTA crosswalk
        return districts_import(
            districts_path=Path(options["districts"]),
            jurisdictions_path=Path(options["jurisdictions"]),
        )
