from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from firstline.campaigns.services import signatures_purge


class Command(BaseCommand):
    help = "Delete pending (unconfirmed) signatures older than SIGNATURE_PURGE_DAYS. Run daily from cron."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None, help="Override SIGNATURE_PURGE_DAYS.")

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = signatures_purge(days=options["days"])
        self.stdout.write(f"purged {deleted} pending signature(s)")
