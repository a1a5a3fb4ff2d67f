"""``manage.py import_census``: states, counties and places from data/census/."""

from __future__ import annotations

from typing import Any

from firstline.geo.importers import census_import
from firstline.geo.management.commands._census_command import CensusImportCommand
from firstline.geo.signals import geography_changed_on_commit
from firstline.lib.importing import Counts


class Command(CensusImportCommand):
    help = "Load the 50 states + DC, their counties and places (Census 2025 Gazetteer, us_geo). Idempotent."
    label = "import_census"

    def run_import(self, **options: Any) -> Counts:
        geography_changed_on_commit()
        return census_import(directory=options["dir"])
