"""A jurisdiction block or a district's legislators as HTML, for the lookup page."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _rendered(name: str, context: dict[str, Any]) -> SafeString:
    return mark_safe(get_template(name).render(context))  # noqa: S308 (autoescaped template output)


@register.simple_tag(takes_context=True)
def jurisdiction_block_html(context: template.Context, block: Any) -> SafeString:
    campaign = context.get("campaign")
    return _rendered("residents/_block.html", {"block": block, "campaign": campaign})


@register.simple_tag(takes_context=True)
def offices_html(context: template.Context, offices: list[Any]) -> SafeString:
    campaign = context.get("campaign")
    return _rendered("residents/_offices.html", {"offices": offices, "campaign": campaign})
