"""delivery's section of the public campaign page: delivery and response counts.

Found by ``{% page_sections "campaign_page" campaign=campaign %}`` (core_tags),
so the campaigns app, below delivery, does not import it.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from firstline.campaigns.models import Campaign
from firstline.delivery import selectors

ORDER = 10
TEMPLATE = "delivery/_campaign_counts.html"


def context(request: HttpRequest | None, *, campaign: Campaign) -> dict[str, Any]:
    summary = selectors.campaign_delivery_summary(campaign=campaign)
    return {"campaign": campaign, "summary": summary}
