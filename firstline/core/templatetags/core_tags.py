from __future__ import annotations

import functools
from typing import Any

from django import template
from django.template.loader import render_to_string
from django.urls import translate_url
from django.utils.safestring import mark_safe

from firstline.core.discovery import app_modules

register = template.Library()


@register.simple_tag(takes_context=True)
def language_url(context: dict[str, Any], code: str) -> str:
    """The current page's URL in another language (a plain link: no JS, no cookie)."""
    request = context.get("request")
    if request is None:
        return f"/{code}/"
    return translate_url(request.get_full_path(), code)


@functools.cache
def _slot_modules(slot: str) -> list[Any]:
    return sorted(app_modules(slot), key=lambda module: module.ORDER)


@register.simple_tag(takes_context=True)
def page_sections(context: dict[str, Any], slot: str, **kwargs: Any) -> str:
    """Render what apps contribute to a page slot, so a lower app's page can show
    an upper app's part without importing it (the stack in docs/architecture.md).

    An app contributes by having a module named ``slot`` (e.g. ``homepage.py``,
    ``campaign_page.py``) with ``ORDER``, ``TEMPLATE`` and
    ``context(request, **kwargs) -> dict``; sections render in ``ORDER``."""
    request = context.get("request")
    return mark_safe(  # noqa: S308 -- each part is a rendered, autoescaped template
        "".join(
            render_to_string(module.TEMPLATE, module.context(request, **kwargs), request=request)
            for module in _slot_modules(slot)
        )
    )
