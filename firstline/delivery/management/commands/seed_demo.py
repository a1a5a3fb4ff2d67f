"""Seed a realistic demo campaign (idempotent): a coalition letter with its
asks, a few approved demo signatories, target rules, frozen targets and
letters queued for rendering. Every demo organization is labelled "Demo" so
nobody mistakes it for a real signer, and nothing leaves the outbox.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from firstline.campaigns import services as campaign_services
from firstline.campaigns.models import (
    Campaign,
    CampaignStatus,
    OrganizationType,
    Signature,
    SignatureStatus,
)
from firstline.delivery import rendering, targeting
from firstline.delivery.models import GeographyKind, PolicyCondition
from firstline.geo.models import Jurisdiction
from firstline.officials.models import Role
from firstline.policies.models import Policy

SLUG = "first-line-of-defense-texas"
ASKS = [
    "no_287g",
    "decline_detainers",
    "no_release_notification",
    "limit_data_sharing",
    "universal_representation",
]

LETTER_EN = """{{ official.salutation }},

We, the undersigned organizations, write to ask {{ jurisdiction.name }} to be a first line of defense
for the immigrant families who live, work and raise children here.

Local police and jails should keep people safe, not do the federal government's deportation work.
Here is what {{ jurisdiction.name }} can still do:

{{ gaps }}

{{ signatory_count }} organizations have signed this letter. We ask for a written response and a meeting.
"""

LETTER_ES = """{{ official.salutation }}:

Las organizaciones abajo firmantes pedimos que {{ jurisdiction.name }} sea una primera línea de defensa
para las familias inmigrantes que viven, trabajan y crían a sus hijos aquí.

La policía y las cárceles locales deben proteger a la gente, no hacer el trabajo de deportación del
gobierno federal. Esto es lo que {{ jurisdiction.name }} todavía puede hacer:

{{ gaps }}

{{ signatory_count }} organizaciones firman esta carta. Pedimos una respuesta por escrito y una reunión.
"""

SIGNERS = [
    (
        "Demo: Houston Immigrant Families Network",
        OrganizationType.LOCAL,
        "ocd-division/country:us/state:tx/place:houston",
    ),
    (
        "Demo: Harris County Faith Coalition",
        OrganizationType.LOCAL,
        "ocd-division/country:us/state:tx/county:harris",
    ),
    (
        "Demo: Texas Legal Defense Collaborative",
        OrganizationType.STATE,
        "ocd-division/country:us/state:tx",
    ),
    (
        "Demo: Austin Workers' Center",
        OrganizationType.LOCAL,
        "ocd-division/country:us/state:tx/place:austin",
    ),
    ("Demo: National Welcoming Alliance", OrganizationType.NATIONAL, None),
    (
        "Demo: Chicago Rapid Response",
        OrganizationType.LOCAL,
        "ocd-division/country:us/state:il/place:chicago",
    ),
]


class Command(BaseCommand):
    help = "Create the demo campaign with signatories, targets and queued letters (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        if Campaign.objects.filter(slug=SLUG).exists():
            self.stdout.write(f"seed_demo: campaign '{SLUG}' already exists (noop)")
            return
        with transaction.atomic():
            organizer, _ = campaign_services.organization_get_or_create(
                name="Demo: Firstline Coalition",
                type=OrganizationType.STATE,
                home_jurisdiction=Jurisdiction.objects.get(
                    ocd_id="ocd-division/country:us/state:tx"
                ),
            )
            campaign = Campaign.objects.create(
                slug=SLUG,
                title="Texas: be the first line of defense",
                title_es="Texas: sea la primera línea de defensa",
                summary="A coalition letter asking Texas officials to end collaboration with ICE and fund legal representation.",
                summary_es="Una carta de la coalición que pide a los funcionarios de Texas dejar de colaborar con ICE y financiar representación legal.",
                letter_en=LETTER_EN,
                letter_es=LETTER_ES,
                languages=["en", "es"],
                organizer=organizer,
                status=CampaignStatus.DRAFT,
                # Letters ask for a response: say who receives it (docs/delivery.md).
                reply_name="Demo Organizer",
                reply_organization="Texas Immigrant Rights Coalition (demo)",
                reply_email="replies@coalition.example.org",
                reply_phone="+1 512 555 0100",
            )
            campaign.asks.set(Policy.objects.filter(slug__in=ASKS))
            campaign_services.campaign_open(campaign=campaign)
            for name, org_type, ocd_id in SIGNERS:
                home = Jurisdiction.objects.filter(ocd_id=ocd_id).first() if ocd_id else None
                result = campaign_services.signature_submit(
                    campaign=campaign,
                    org_name=name,
                    org_type=org_type,
                    home_jurisdiction=home,
                    contact_name="Demo Contact",
                    contact_email=f"demo+{len(name)}@example.org",
                    language="en",
                )
                Signature.objects.filter(pk=result.signature.pk).update(
                    status=SignatureStatus.VERIFIED
                )
            campaign_services.signature_approve(
                signatures=Signature.objects.filter(campaign=campaign)
            )

            agreement = Policy.objects.get(slug="agreement_287g")
            targeting.target_rule_add(
                campaign=campaign,
                roles=[Role.SHERIFF],
                geography=GeographyKind.STATES,
                states=["TX"],
                policy=agreement,
                policy_condition=PolicyCondition.IN_FORCE,
            )
            targeting.target_rule_add(
                campaign=campaign,
                roles=[Role.GOVERNOR],
                geography=GeographyKind.STATES,
                states=["TX"],
            )
            targeting.target_rule_add(
                campaign=campaign,
                roles=[Role.MAYOR],
                geography=GeographyKind.STATES,
                states=["TX"],
                min_population=100_000,
                language="es",
            )
        targets = targeting.targets_freeze(campaign=campaign)
        with transaction.atomic():
            batches = rendering.letters_render_enqueue(campaign=campaign)
        self.stdout.write(
            f"seed_demo: campaign '{SLUG}' with {len(SIGNERS)} approved demo signatories, "
            f"{targets} frozen targets, {batches} letter batches queued for the worker"
        )
