"""geo's section of the home page (``{% page_sections "homepage" %}`` in core_tags)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from firstline.geo import selectors

ORDER = 20  # below the map
TEMPLATE = "geo/_home_counts.html"


def context(request: HttpRequest | None) -> dict[str, Any]:
    return {"counts": selectors.national_counts()}
