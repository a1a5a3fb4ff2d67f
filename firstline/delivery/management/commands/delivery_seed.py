"""Set up a campaign ready to deliver, for the fault test, the bench and demos.

``--real`` targets every state legislator and governor (Open States data);
``--synthetic N`` adds N council seats with made-up example.org addresses,
spread over the counties (for the memory-flatness point of the bench).
Rendering runs inline here; sending is left to the real ``db_worker``.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from firstline.campaigns.models import Campaign
from firstline.delivery import rendering, sending, targeting
from firstline.delivery.models import Target
from firstline.geo.models import Jurisdiction, JurisdictionKind
from firstline.officials.models import ContactKind, ContactPoint, Office, Role
from firstline.policies.models import Policy

LETTER = (
    "Dear {{ official.name }},\n\nWe, {{ signatory_count }} organizations, write about "
    "{{ jurisdiction.name }}.\n\n{{ gaps }}\n\nWith respect,"
)
SYNTHETIC_SOURCE = "delivery_seed synthetic"


def synthetic_offices(count: int) -> list[int]:
    counties = list(
        Jurisdiction.objects.filter(kind=JurisdictionKind.COUNTY)
        .order_by("pk")
        .values_list("pk", "name")
    )
    if not counties:
        raise SystemExit("no counties loaded")
    offices = []
    for i in range(count):
        jid, name = counties[i % len(counties)]
        seat = 1000 + i // len(counties)
        offices.append(
            Office(
                jurisdiction_id=jid,
                role=Role.COUNCIL_MEMBER,
                seat=seat,
                title=f"Council Member, {name} (seat {seat})",
                source=SYNTHETIC_SOURCE,
            )
        )
    Office.objects.bulk_create(offices, batch_size=2000)
    ids = list(Office.objects.filter(source=SYNTHETIC_SOURCE).values_list("pk", flat=True))
    ContactPoint.objects.bulk_create(
        [
            ContactPoint(
                office_id=pk,
                kind=ContactKind.EMAIL,
                value=f"seat{pk}@d{pk % 300}.example.org",
                classification="capitol",
            )
            for pk in ids
        ],
        batch_size=2000,
        ignore_conflicts=True,
    )
    return ids


class Command(BaseCommand):
    help = "Create a campaign with targets and rendered letters (and optionally queue delivery)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--slug", default="delivery-bench")
        parser.add_argument(
            "--real", action="store_true", help="Every state legislator and governor."
        )
        parser.add_argument(
            "--synthetic", type=int, default=0, help="N synthetic council seats with email."
        )
        parser.add_argument(
            "--email-only", action="store_true", help="Keep only targets with an email."
        )
        parser.add_argument("--limit", type=int, default=0, help="Keep at most this many targets.")
        parser.add_argument(
            "--switch-on", action="store_true", help="Flip the campaign's delivery switch."
        )
        parser.add_argument(
            "--start", action="store_true", help="Queue the deliveries and the pumps."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        campaign = Campaign.objects.create(
            title="Protect our neighbors",
            slug=options["slug"],
            letter_en=LETTER,
            languages=["en"],
            status="delivering",
        )
        campaign.asks.set(
            Policy.objects.filter(slug__in=["trust_values_act", "no_287g", "decline_detainers"])
        )
        if options["real"]:
            targeting.target_rule_add(
                campaign=campaign,
                roles=[
                    Role.GOVERNOR,
                    Role.STATE_SENATOR,
                    Role.STATE_REPRESENTATIVE,
                    Role.LEGISLATOR,
                ],
            )
        if options["synthetic"]:
            synthetic_offices(options["synthetic"])
            targeting.target_rule_add(campaign=campaign, roles=[Role.COUNCIL_MEMBER])
        targeting.targets_freeze(campaign=campaign)
        targets = Target.objects.filter(campaign=campaign)
        if options["synthetic"]:
            # Only the synthetic seats, not real councils a roster may have loaded.
            targets.exclude(office__source=SYNTHETIC_SOURCE).filter(
                role=Role.COUNCIL_MEMBER
            ).delete()
        if options["email_only"]:
            targets.filter(email="").delete()
        if options["limit"]:
            keep = list(targets.order_by("pk").values_list("pk", flat=True)[: options["limit"]])
            targets.exclude(pk__in=keep).delete()
        ids = list(targets.order_by("pk").values_list("pk", flat=True))
        froze = time.monotonic()
        for start in range(0, len(ids), rendering.RENDER_BATCH):
            rendering.letters_render_batch(
                campaign_id=campaign.pk, target_ids=ids[start : start + rendering.RENDER_BATCH]
            )
        rendered = time.monotonic()
        if options["switch_on"]:
            targeting.delivery_switch_set(campaign=campaign, enabled=True, by=None)
        created = 0
        if options["start"]:
            with transaction.atomic():
                created = sending.delivery_start(campaign=campaign)
        self.stdout.write(
            f"campaign={campaign.pk} targets={len(ids)} deliveries={created} "
            f"freeze_s={froze - started:.1f} render_s={rendered - froze:.1f}"
        )
