"""Import Open States people: legislators, statewide officers, mayors, their contacts."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from firstline.lib.importing import Counts, ImportCommand
from firstline.officials.openstates_importers import (
    BUNDLED_AS_OF,
    BUNDLED_COMMIT,
    BUNDLED_SNAPSHOT,
    Snapshot,
    openstates_import,
)
from firstline.officials.signals import officials_changed_on_commit


class Command(ImportCommand):
    help = (
        "Import an Open States people snapshot: a checkout of github.com/openstates/people or a tarball of "
        "its data/ layout (default: the bundled one). Terms of people no longer in it are ended."
    )
    label = "import_openstates"

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "path", nargs="?", default=str(BUNDLED_SNAPSHOT), help="directory or .tar[.xz|.gz]"
        )
        parser.add_argument(
            "--as-of",
            default="",
            help="snapshot date YYYY-MM-DD (default: bundled date, else today)",
        )
        parser.add_argument("--commit", default="", help="upstream commit, used in contact sources")

    def run_import(self, **options: Any) -> Counts:
        officials_changed_on_commit()
        path = Path(options["path"])
        bundled = path.resolve() == BUNDLED_SNAPSHOT.resolve()
        try:
            as_of = (
                date.fromisoformat(options["as_of"])
                if options["as_of"]
                else (BUNDLED_AS_OF if bundled else date.today())
            )
        except ValueError:
            raise CommandError(f"--as-of: not a date: {options['as_of']!r}") from None
        commit = options["commit"] or (BUNDLED_COMMIT if bundled else "")
        return openstates_import(snapshot=Snapshot(path=path, as_of=as_of, commit=commit))
