"""Rendered HTML of a jurisdiction block or a district's legislators, reused.

Rendering these includes is most of a lookup page's cost (docs/residents.md).
Their input is an object the selectors keep per jurisdiction or district and
language (never per ZIP), the active language (URLs and labels) and the
campaign slug in the "write" links; the HTML is kept per (object, language,
campaign) and reused only while the selectors hand out the very same object,
so it is dropped exactly when that is.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

# Most-used fragments are a few KB (Houston's block, 16 council members, ~25 KB):
# a bound on memory, reached only by a worker serving most of the country.
FRAGMENTS_MAX = 5_000
_html: dict[tuple[str, int, str, str], tuple[object, SafeString]] = {}


def _rendered(name: str, source: object, context: dict[str, Any]) -> SafeString:
    campaign = context.get("campaign")
    key = (name, id(source), get_language() or "", getattr(campaign, "slug", "") or "")
    hit = _html.get(key)
    if hit is not None and hit[0] is source:
        return hit[1]
    html = mark_safe(get_template(name).render(context))  # noqa: S308 (autoescaped template output)
    if len(_html) >= FRAGMENTS_MAX:
        _html.clear()
    # The source is held with its HTML, so its id cannot be reused while cached.
    _html[key] = (source, html)
    return html


def fragments_clear() -> None:
    _html.clear()


@register.simple_tag(takes_context=True)
def jurisdiction_block_html(context: template.Context, block: Any) -> SafeString:
    campaign = context.get("campaign")
    return _rendered("residents/_block.html", block, {"block": block, "campaign": campaign})


@register.simple_tag(takes_context=True)
def offices_html(context: template.Context, offices: list[Any]) -> SafeString:
    campaign = context.get("campaign")
    return _rendered("residents/_offices.html", offices, {"offices": offices, "campaign": campaign})
