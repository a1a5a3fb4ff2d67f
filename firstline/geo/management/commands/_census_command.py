"""Shared base of the geo import commands: they all read one Census folder."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandParser

from firstline.geo.importers import DEFAULT_DIR
from firstline.lib.importing import ImportCommand


class CensusImportCommand(ImportCommand):
    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--dir",
            type=Path,
            default=DEFAULT_DIR,
            help="Folder holding the Census files (plain or .gz).",
        )
