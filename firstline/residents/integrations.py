"""Reads from the tracker (policies) and delivery, in one place.

The resident pages compose data owned by other apps. Their entry points are
called here, so a change in one of them is a change in one file.
"""

from __future__ import annotations

import importlib.util
from typing import Any

from django.utils.translation import get_language

from firstline.geo.models import Jurisdiction

SLUG_287G = "agreement_287g"
IN_FORCE_287G = ("in_force", "partial")


def _catalog() -> tuple[Any, dict[str, Any]]:
    from firstline.policies.models import Policy
    from firstline.policies.scorecard import catalog_load

    texts = {
        p.slug: p
        for p in Policy.objects.only(
            "slug", "kind", "weight", "levels", "name_en", "name_es", "summary_en", "summary_es"
        )
    }
    return catalog_load(), texts


def scorecards_for(jurisdictions: list[Jurisdiction]) -> dict[int, dict[str, Any]]:
    """``{jurisdiction id: {"score", "grade", "gaps": [...], "harms": [...]}}``.

    Gaps come from the tracker's engine (``policies.scorecard.scorecards_compute``,
    computed fresh: two or three queries for the three levels of one lookup);
    harms are the harmful policies in force there. Each item is
    ``{"slug", "name", "summary", "weight", "levels"}`` in the active language.
    """
    if not jurisdictions or importlib.util.find_spec("firstline.policies.scorecard") is None:
        return {}
    from firstline.policies.scorecard import scorecards_compute

    catalog, texts = _catalog()
    cards = scorecards_compute(jurisdiction_ids=[j.pk for j in jurisdictions], catalog=catalog)
    out: dict[int, dict[str, Any]] = {}
    for jid, card in cards.items():
        harms = [
            line.policy.slug
            for line in card.lines
            if line.policy.kind == "harmful" and line.in_force
        ]
        out[jid] = {
            "score": card.score,
            "grade": card.grade,
            "gaps": [_policy_text(texts[slug]) for slug in card.gaps if slug in texts],
            "harms": [_policy_text(texts[slug]) for slug in harms if slug in texts],
        }
    return out


def _policy_text(policy: Any) -> dict[str, Any]:
    spanish = (get_language() or "en").startswith("es")
    name = policy.name_es if spanish and policy.name_es else policy.name_en
    summary = policy.summary_es if spanish and policy.summary_es else policy.summary_en
    return {
        "slug": policy.slug,
        "name": name or policy.slug,
        "summary": summary or "",
        "weight": policy.weight,
        "levels": list(policy.levels or []),
    }


def agreements_287g(county: Jurisdiction) -> list[dict[str, Any]]:
    """The county's 287(g) agreements as ICE lists them (any status, newest first)."""
    from firstline.policies.models import PolicyRecord

    rows = (
        PolicyRecord.objects.filter(jurisdiction=county, policy__slug=SLUG_287G)
        .only(
            "status", "support_model", "signed_on", "agency_name", "moa_url", "source_url", "as_of"
        )
        .order_by("-signed_on", "pk")
    )
    return [
        {
            "agency": r.agency_name,
            "status": r.status,
            "status_label": str(r.get_status_display()),
            "in_force": r.status in IN_FORCE_287G,
            "model": r.support_model,
            "model_label": str(r.get_support_model_display()) if r.support_model else "",
            "signed_on": r.signed_on.isoformat() if r.signed_on else None,
            "source_url": r.moa_url or r.source_url,
            "as_of": r.as_of.isoformat() if r.as_of else None,
        }
        for r in rows
    ]


def campaign_external_allowed(campaign: Any) -> bool:
    """The campaign's delivery switch (delivery.CampaignDelivery.external_enabled)."""
    if campaign is None:
        return False
    from firstline.delivery.models import CampaignDelivery

    return CampaignDelivery.objects.filter(campaign=campaign, external_enabled=True).exists()
