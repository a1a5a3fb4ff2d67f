from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandParser

from firstline.lib.importing import Counts, ImportCommand
from firstline.policies.importers import import_policy_catalog


class Command(ImportCommand):
    help = "Load the policy catalog (catalog.yaml) and, when present, its Spanish text (catalog.es.yaml)."
    label = "import_policy_catalog"

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "file", nargs="?", default=str(Path(settings.BASE_DIR) / "data/policies/catalog.yaml")
        )
        parser.add_argument(
            "--spanish", default="", help="Spanish catalog; default: catalog.es.yaml beside FILE."
        )

    def run_import(self, **options: Any) -> Counts:
        path = Path(options["file"])
        spanish = (
            Path(options["spanish"]) if options["spanish"] else path.with_name("catalog.es.yaml")
        )
        return import_policy_catalog(path, spanish=spanish)
