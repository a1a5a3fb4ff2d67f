"""Write the bulk downloads now (all datasets, or the ones named), without a worker."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from firstline.opendata.datasets import DATASETS
from firstline.opendata.services import downloads_generate


class Command(BaseCommand):
    help = "Generate the bulk downloads of the Data page (all, or the datasets named)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("datasets", nargs="*", help=f"Any of: {', '.join(DATASETS)}")

    def handle(self, *args: Any, datasets: list[str], **options: Any) -> None:
        unknown = sorted(set(datasets) - set(DATASETS))
        if unknown:
            raise CommandError(f"unknown dataset(s): {', '.join(unknown)}")
        started = time.monotonic()
        for written in downloads_generate(slugs=datasets or list(DATASETS)):
            self.stdout.write(f"{written.name}: {written.rows} rows, {written.size} bytes")
        self.stdout.write(f"done in {time.monotonic() - started:.1f}s")
