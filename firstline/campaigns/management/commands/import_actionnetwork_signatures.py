from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from firstline.campaigns.importers import import_actionnetwork
from firstline.campaigns.models import Campaign, OrganizationType
from firstline.lib.importing import Counts, ImportCommand


class Command(ImportCommand):
    help = "Import signatories from an Action Network CSV export into a campaign (as verified, not approved)."
    label = "import_actionnetwork_signatures"

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("path", type=Path)
        parser.add_argument("--campaign", required=True, help="Campaign slug.")
        parser.add_argument(
            "--default-type",
            choices=[t.value for t in OrganizationType],
            default=OrganizationType.LOCAL,
        )

    def run_import(self, **options: Any) -> Counts:
        campaign = Campaign.objects.filter(slug=options["campaign"]).first()
        if campaign is None:
            raise CommandError(f"no campaign with slug {options['campaign']!r}")
        return import_actionnetwork(
            path=options["path"], campaign=campaign, default_type=options["default_type"]
        )
