"""Language-aware catalog text and status badges for the tracker templates."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

register = template.Library()


def _spanish() -> bool:
    return (get_language() or "en").startswith("es")


def _text(policy: Any, attr: str) -> Any:
    """The attribute, or "" when the object has none."""
    return getattr(policy, attr, "")


@register.filter
def policy_name(policy: Any) -> str:
    if policy is None:
        return ""
    return str((_spanish() and _text(policy, "name_es")) or policy.name_en)


@register.filter
def policy_summary(policy: Any) -> str:
    if policy is None:
        return ""
    return str((_spanish() and _text(policy, "summary_es")) or policy.summary_en)


@register.filter
def model_language(policy: Any) -> str:
    return str((_spanish() and _text(policy, "model_language_es")) or policy.model_language)


@register.filter
def status_badge(status: str, kind: str = "protective") -> str:
    """The badge class (firstline.css) for an effective status of a protective or harmful policy."""
    if kind == "harmful":
        return {"in_force": "bad", "partial": "bad", "held_above": "bad", "proposed": "warn"}.get(
            status, ""
        )
    return {
        "in_force": "good",
        "partial": "good",
        "proposed": "warn",
        "preempted": "bad",
        "negated": "bad",
        "enjoined": "warn",
        "struck_down": "warn",
    }.get(status, "")


ADOPT_LEVELS = {
    "state": _("the state"),
    "county": _("counties"),
    "city": _("cities and towns"),
    "sheriff": _("sheriffs"),
    "school": _("school districts"),
    "court": _("courts"),
}
JURISDICTION_LEVELS = {"state": _("state"), "county": _("county"), "place": _("city or town")}


@register.filter
def adopt_level(level: str) -> str:
    return str(ADOPT_LEVELS.get(level, level))


@register.filter
def level_name(level: str | None) -> str:
    return str(JURISDICTION_LEVELS.get(level or "", level or ""))


# Record history is public; what importers and services store in ``why`` and ``by_label``
# is for staff ("Commitment logged as delivery response 1", "delivery", file names).
_SOURCE_AUTHORS = {
    "ice287g": _("ICE 287(g) lists"),
    "evidence": _("Firstline research"),
    "delivery": _("Campaign responses"),
    "migration": _("Firstline research"),
}


@register.filter
def change_author(version: Any) -> str:
    label = str(getattr(version, "by_label", "") or "")
    if label in _SOURCE_AUTHORS:
        return str(_SOURCE_AUTHORS[label])
    return str(_("Firstline staff"))


@register.filter
def change_reason(version: Any) -> str:
    import re

    label = str(getattr(version, "by_label", "") or "")
    why = str(getattr(version, "why", "") or "")
    if label == "delivery":
        return str(_("An official committed to it in reply to a campaign letter"))
    if label == "ice287g":
        found = re.search(r"\d{4}-\d{2}-\d{2}", why)
        return str(
            _("ICE's published 287(g) list as of %(date)s") % {"date": found.group(0)}
            if found
            else _("ICE's published 287(g) list")
        )
    if label in _SOURCE_AUTHORS:
        return str(_("Research evidence bundled with Firstline"))
    return why  # written by staff for readers
