"""Load a coalition's roster of local officials from the documented CSV template."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from firstline.lib.importing import Counts, ImportCommand
from firstline.officials.importers_csv import officials_csv_import
from firstline.officials.signals import officials_changed_on_commit


class Command(ImportCommand):
    help = (
        "Import local officials from a CSV with the columns jurisdiction, role, district, name, "
        "email, phone, address, source, verified_on (see data/officials/template.csv)."
    )
    label = "import_officials_csv"

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("path", help="The roster CSV (UTF-8).")

    def run_import(self, **options: Any) -> Counts:
        officials_changed_on_commit()
        return officials_csv_import(path=Path(options["path"]))
