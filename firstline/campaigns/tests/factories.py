"""Small builders for campaign tests; the national dataset supplies jurisdictions."""

from __future__ import annotations

from typing import Any

from firstline.campaigns.models import Campaign, CampaignStatus
from firstline.geo.models import Jurisdiction, JurisdictionKind

LETTER_EN = """Dear {{ official.title }},

We, the undersigned organizations, ask **{{ jurisdiction.name }}** to adopt:

{{ gaps }}

Signed by {{ signatory_count }} organizations.
"""
LETTER_ES = """Estimado/a {{ official.title }}:

Las organizaciones firmantes pedimos a **{{ jurisdiction.name }}** que adopte:

{{ gaps }}
"""


def texas() -> Jurisdiction:
    state, _ = Jurisdiction.objects.get_or_create(
        ocd_id="ocd-division/country:us/state:tx",
        defaults={
            "kind": JurisdictionKind.STATE,
            "name": "Texas",
            "short_name": "Texas",
            "geoid": "48",
            "usps": "TX",
        },
    )
    return state


def harris() -> Jurisdiction:
    county, _ = Jurisdiction.objects.get_or_create(
        ocd_id="ocd-division/country:us/state:tx/county:harris",
        defaults={
            "kind": JurisdictionKind.COUNTY,
            "name": "Harris County",
            "short_name": "Harris",
            "geoid": "48201",
            "usps": "TX",
            "state": texas(),
        },
    )
    return county


def campaign(*, using: str = "default", **kwargs: Any) -> Campaign:
    values: dict[str, Any] = {
        "title": "End 287(g) in Texas",
        "title_es": "Fin al 287(g) en Texas",
        "slug": "end-287g",
        "summary": "A coalition letter.",
        "summary_es": "Una carta de la coalición.",
        "letter_en": LETTER_EN,
        "letter_es": LETTER_ES,
        "languages": ["en", "es"],
        "status": CampaignStatus.COLLECTING,
    }
    values.update(kwargs)
    return Campaign.objects.using(using).create(**values)
