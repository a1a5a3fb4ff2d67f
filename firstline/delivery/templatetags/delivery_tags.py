"""Lets campaign pages show delivery and response counts without the
campaigns app importing delivery (dependencies point delivery → campaigns)."""

from __future__ import annotations

from typing import Any

from django import template

from firstline.delivery import selectors

register = template.Library()


@register.inclusion_tag("delivery/_campaign_counts.html", takes_context=True)
def campaign_delivery_counts(context: dict[str, Any], campaign: Any) -> dict[str, Any]:
    summary = selectors.campaign_delivery_summary(campaign=campaign)
    return {"campaign": campaign, "summary": summary, "request": context.get("request")}
