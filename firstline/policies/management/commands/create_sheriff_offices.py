"""Give every county with a sheriff's office in the 287(g) records a sheriff's seat.

Lives in policies because it reads policy records; the seats it creates are
officials' (``officials.importers_csv.sheriff_offices_create``), below policies.
"""

from __future__ import annotations

from typing import Any

from firstline.lib.importing import Counts, ImportCommand
from firstline.officials.importers_csv import sheriff_offices_create
from firstline.officials.signals import officials_changed_on_commit
from firstline.policies.selectors import sheriff_counties_287g


class Command(ImportCommand):
    help = "Create 'Sheriff, <County>' offices (vacant is fine) for counties with a sheriff-run 287(g) agency."
    label = "create_sheriff_offices"

    def run_import(self, **options: Any) -> Counts:
        officials_changed_on_commit()
        return sheriff_offices_create(county_ids=sheriff_counties_287g())
