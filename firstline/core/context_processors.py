from __future__ import annotations

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# URL names of the main sections, in menu order. A section whose app has not
# registered the URL yet is simply left out of the menu.
NAV = [
    ("residents:lookup", _("Find your officials")),
    ("policies:list", _("Policies")),
    ("campaigns:list", _("Campaigns")),
    ("policies:methodology", _("Methodology")),
    ("opendata:data", _("Data")),
]


def navigation(request: HttpRequest) -> dict[str, list[dict[str, str]]]:
    items = []
    for name, label in NAV:
        try:
            items.append({"url": reverse(name), "label": str(label)})
        except NoReverseMatch:
            continue
    return {"nav_items": items}
