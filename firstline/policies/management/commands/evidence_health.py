from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from firstline.policies.health import evidence_coverage, evidence_health


class Command(BaseCommand):
    help = "List contradictions and staleness in the evidence; --coverage adds research coverage."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="Judge staleness as of this date (ISO).")
        parser.add_argument("--coverage", action="store_true", help="Print research coverage.")
        parser.add_argument("--counts-only", action="store_true", help="Only the counts by kind.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            today = dt.date.fromisoformat(options["today"]) if options["today"] else None
        except ValueError as exc:
            raise CommandError(f"--today: not an ISO date: {options['today']!r}") from exc
        report = evidence_health(today=today)
        if not options["counts_only"]:
            for item in report.items:
                self.stdout.write(f"{item.kind}: {item.message}")
        self.stdout.write(f"\n{len(report.items)} items")
        for kind, n in report.counts.items():
            self.stdout.write(f"  {kind}: {n}")
        if options["coverage"]:
            cov = evidence_coverage()
            self.stdout.write(f"\ncoverage: states researched per core policy (of {cov.states})")
            for slug, n in cov.per_policy.items():
                self.stdout.write(f"  {slug}: {n}/{cov.states}")
            self.stdout.write(
                f"instruments: {cov.instruments}; primary-source share {cov.primary_share:.0%}; "
                f"verified share {cov.verified_share:.0%}"
            )
