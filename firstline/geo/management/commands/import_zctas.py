"""``manage.py import_zctas``: ZCTAs and their overlaps with counties and places."""

from __future__ import annotations

from typing import Any

from firstline.geo.importers import zctas_import
from firstline.geo.management.commands._census_command import CensusImportCommand
from firstline.geo.signals import geography_changed_on_commit
from firstline.lib.importing import Counts


class Command(CensusImportCommand):
    help = "Load ZCTAs (ZIP code areas) and their land-area overlaps with counties and places. Run after import_census."
    label = "import_zctas"

    def run_import(self, **options: Any) -> Counts:
        geography_changed_on_commit()
        return zctas_import(directory=options["dir"])
