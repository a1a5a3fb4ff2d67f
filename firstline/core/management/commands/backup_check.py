"""``manage.py backup_check``: a pg_dump backup, proven by restoring it into a
new database and comparing the row count of every table (docs/architecture.md,
"Running at scale"). Exits non-zero when anything differs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from firstline.core.backups import BackupError, backup_check


class Command(BaseCommand):
    help = "pg_dump the database, restore it into a new database and compare row counts per table."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output-dir",
            default=str(Path(settings.VAR_DIR) / "backups"),
            help="Where the dump is written and kept (default: var/backups).",
        )
        parser.add_argument(
            "--keep-restored",
            action="store_true",
            help="Keep the restored database (default: drop it after the check).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            check = backup_check(
                output_dir=Path(options["output_dir"]), keep_restored=options["keep_restored"]
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        for table, (source, restored) in check.mismatches.items():
            self.stderr.write(f"{table}: {source} rows in the database, {restored} restored")
        if check.mismatches:
            raise CommandError(
                f"{len(check.mismatches)} tables differ; the dump {check.dump} is suspect"
            )
        self.stdout.write(
            f"{check.dump} ({check.dump_bytes / 1e6:.1f} MB): {len(check.source_counts)} tables, "
            f"{check.rows} rows, identical after restore "
            f"(dump {check.seconds['dump']:.1f} s, restore and count "
            f"{check.seconds['restore_and_count']:.1f} s)"
        )
