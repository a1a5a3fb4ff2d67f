"""policies' section of the home page: the national map (``{% page_sections "homepage" %}``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from firstline.policies.views import home_map_context

ORDER = 10
TEMPLATE = "policies/_home_map.html"


def context(request: HttpRequest) -> dict[str, Any]:
    return home_map_context(request)
