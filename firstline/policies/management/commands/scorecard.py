"""``manage.py scorecard OCD_ID [OCD_ID ...] [--children] --json``: computed scorecards as JSON."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from firstline.geo.models import Jurisdiction, JurisdictionKind
from firstline.policies import scorecard


class Command(BaseCommand):
    help = "Print computed scorecards (score, grade, gaps, effective policies with their records)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("ocd_ids", nargs="+", metavar="OCD_ID")
        parser.add_argument(
            "--children",
            action="store_true",
            help="Also score every jurisdiction inside the ones given.",
        )
        parser.add_argument(
            "--json", action="store_true", help="Print a JSON list (the only format for now)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        wanted = list(dict.fromkeys(options["ocd_ids"]))
        found = dict(Jurisdiction.objects.filter(ocd_id__in=wanted).values_list("ocd_id", "id"))
        missing = [o for o in wanted if o not in found]
        if missing:
            raise CommandError(f"unknown jurisdiction(s): {', '.join(missing)}")
        ids = [found[o] for o in wanted]
        if options["children"]:
            kinds = dict(Jurisdiction.objects.filter(id__in=ids).values_list("id", "kind"))
            states = [i for i in ids if kinds[i] == JurisdictionKind.STATE]
            counties = [i for i in ids if kinds[i] == JurisdictionKind.COUNTY]
            inside = Jurisdiction.objects.filter(state_id__in=states).values_list("id", flat=True)
            # "Inside a county" means lying in it, even partly, not only having it as primary county.
            in_county = Jurisdiction.objects.filter(counties__in=counties).values_list(
                "id", flat=True
            )
            ids += [i for i in [*inside, *in_county] if i not in ids]
            ids = list(dict.fromkeys(ids))
        cards = scorecard.scorecards_compute(jurisdiction_ids=ids)
        payload = [cards[i].as_json() for i in ids if i in cards]
        self.stdout.write(
            json.dumps(payload, ensure_ascii=False, indent=None if len(payload) > 50 else 2)
        )
