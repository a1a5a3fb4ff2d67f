from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from firstline.lib.importing import Counts, ImportCommand
from firstline.policies.ice287g_importers import import_ice287g, write_report


class Command(ImportCommand):
    help = (
        "Load an ICE 287(g) list (participating or pending; xlsx as ICE publishes it, or CSV) or the first-seen "
        "history, matching each agency to a state, county or place."
    )
    label = "import_ice287g"

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument("file")
        parser.add_argument(
            "--list",
            dest="list_name",
            choices=["participating", "pending", "history"],
            default=None,
            help="Which list the file is; guessed from its name and columns when omitted.",
        )
        parser.add_argument(
            "--as-of",
            default="",
            help="Date of ICE's list (ISO); default: the date in the file name.",
        )
        parser.add_argument(
            "--report", default="", help="Write one CSV row per input row with the match found."
        )
        parser.add_argument(
            "--allow-shrink",
            action="store_true",
            help="Accept a list that ends more than a quarter of the agreements in force.",
        )

    def run_import(self, **options: Any) -> Counts:
        as_of = None
        if options["as_of"]:
            try:
                as_of = dt.date.fromisoformat(options["as_of"])
            except ValueError as exc:
                raise CommandError(f"--as-of: not an ISO date: {options['as_of']!r}") from exc
        result = import_ice287g(
            Path(options["file"]),
            list_name=options["list_name"],
            as_of=as_of,
            allow_shrink=options["allow_shrink"],
        )
        self.label = f"import_ice287g ({result.list_name}, as of {result.as_of})"
        levels: dict[str, int] = {}
        for row in result.report:
            levels[row["matched_level"]] = levels.get(row["matched_level"], 0) + 1
        result.counts.notes.insert(
            0, "matched: " + ", ".join(f"{k}={v}" for k, v in sorted(levels.items()))
        )
        if options["report"]:
            write_report(result.report, Path(options["report"]))
            result.counts.notes.append(f"report written to {options['report']}")
        return result.counts
