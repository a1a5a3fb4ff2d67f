"""Link ZCTAs to state legislative districts (Census 2024 SLD x ZCTA relationship)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from firstline.geo.signals import geography_changed_on_commit
from firstline.lib.importing import Counts, ImportCommand
from firstline.officials.importers import SLD_NAMES_CSV, ZCTA_SLD_CSV, zcta_districts_import
from firstline.officials.signals import officials_changed_on_commit


class Command(ImportCommand):
    help = "Import the ZCTA -> state legislative district crosswalk, mapping Census SLD codes to Open States names."
    label = "import_zcta_districts"

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "crosswalk",
            nargs="?",
            default=str(ZCTA_SLD_CSV),
            help="zcta_state_legislative_districts_2024.csv[.gz]",
        )
        parser.add_argument(
            "--names",
            default=str(SLD_NAMES_CSV),
            help="state_legislative_districts_2024_names.csv[.gz]",
        )

    def run_import(self, **options: Any) -> Counts:
        officials_changed_on_commit()
        geography_changed_on_commit()  # districts and their ZCTA crosswalk
        return zcta_districts_import(
            crosswalk_path=Path(options["crosswalk"]), names_path=Path(options["names"])
        )
