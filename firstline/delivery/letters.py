"""Localizing the letter: what each target's jurisdiction lacks, what it already has.

The statuses come from the tracker's scorecard engine
(:func:`firstline.policies.scorecard.scorecards_compute`), computed in bulk for
a whole render batch. This module turns them into plain, JSON-ready lines with
one sentence of evidence each, then renders the letter triple (subject, HTML,
text) from the campaign's Markdown and one template shared by email and print.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import nh3
from django.db.models import Q
from django.template import Context, Engine
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from markdown_it import MarkdownIt

from firstline.campaigns.models import Campaign
from firstline.campaigns.selectors import campaign_signatories
from firstline.geo.models import Jurisdiction, JurisdictionKind
from firstline.officials.roles import ROLES, role_info
from firstline.policies.models import Policy, PolicyRecord, RecordStatus, SupportModel
from firstline.policies.scorecard import (
    LEVEL_ORDER,
    EffectiveStatus,
    PolicyLine,
    RecordRow,
    Scorecard,
    catalog_load,
    scorecards_compute,
)

# Which catalog levels an office can act at: a sheriff runs the jail, a mayor the city.
ROLE_LEVELS: dict[str, frozenset[str]] = {role: info.acts_on for role, info in ROLES.items()}

HARMFUL_STATUSES = (EffectiveStatus.NEGATED, EffectiveStatus.PREEMPTED)

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False})
_engine = Engine(autoescape=False)


def _date(value: Any) -> str:
    return date_format(value, "DATE_FORMAT") if value else ""


def _policy_name(policy: Policy, language: str) -> str:
    return policy.name_es if language == "es" and policy.name_es else policy.name_en


def _evidence(row: RecordRow, *, where: str) -> str:
    """One sentence a staffer or an official can check against the source."""
    if row.agency_name:
        model = dict(SupportModel.choices).get(row.support_model, "")
        signed = _("signed %(date)s") % {"date": _date(row.signed_on)} if row.signed_on else ""
        bits = [b for b in (str(model), signed) if b]
        return _(
            "%(agency)s has a 287(g) agreement with ICE (%(details)s), per ICE's list of %(as_of)s."
        ) % {
            "agency": row.agency_name,
            "details": ", ".join(bits) or _("model not given"),
            "as_of": _date(row.as_of) or _("participating agencies"),
        }
    status = dict(RecordStatus.choices).get(row.status, row.status)
    citation = row.citation or _("record")
    return _("%(where)s: %(citation)s (%(status)s).") % {
        "where": where,
        "citation": citation,
        "status": str(status).lower(),
    }


@dataclass
class SimilarIndex:
    """Jurisdictions of each kind where a protective policy is in force, for "X already did it"."""

    by_key: dict[tuple[str, str], list[tuple[int, str, str, int, str]]]

    @classmethod
    def load(cls, *, slugs: Iterable[str], kinds: Iterable[str]) -> SimilarIndex:
        rows = (
            PolicyRecord.objects.filter(
                policy__slug__in=list(slugs),
                status__in=[RecordStatus.IN_FORCE, RecordStatus.PARTIAL],
                jurisdiction__kind__in=list(kinds),
            )
            .values_list(
                "policy__slug",
                "jurisdiction__kind",
                "jurisdiction_id",
                "jurisdiction__name",
                "jurisdiction__usps",
                "jurisdiction__population",
                "jurisdiction__ocd_id",
            )
            .distinct()
        )
        by_key: dict[tuple[str, str], list[tuple[int, str, str, int, str]]] = {}
        for slug, kind, jid, name, usps, population, ocd_id in rows:
            by_key.setdefault((slug, kind), []).append((jid, name, usps, population or 0, ocd_id))
        return cls(by_key=by_key)

    def nearest(self, *, slug: str, jurisdiction: Jurisdiction) -> dict[str, str] | None:
        """Same kind; same state first, then the closest population."""
        candidates = [
            c for c in self.by_key.get((slug, jurisdiction.kind), []) if c[0] != jurisdiction.pk
        ]
        if not candidates:
            return None
        population = jurisdiction.population or 0
        best = min(
            candidates, key=lambda c: (c[2] != jurisdiction.usps, abs(c[3] - population), c[1])
        )
        name = best[1] if jurisdiction.kind == JurisdictionKind.STATE else f"{best[1]}, {best[2]}"
        return {"name": name, "ocd_id": best[4]}


def _harm_for(
    *, card: Scorecard, slug: str, line: PolicyLine | None, jurisdiction: Jurisdiction
) -> tuple[RecordRow, str] | None:
    """The harmful record that cancels or blocks an ask here, if any: the ask's own
    negated or preempted record, else a harmful policy in force in the chain that
    negates it (a county's 287(g) agreement) or, from the state, preempts it."""
    found: list[tuple[int, RecordRow, str]] = []
    if line is not None and line.effective_status in HARMFUL_STATUSES and line.reason is not None:
        # The scorecard names the level of the cancelling record's holder.
        level = line.reason_level or JurisdictionKind.STATE
        found.append((LEVEL_ORDER[level] - 1, line.reason, line.reason_ocd_id))
    for other in card.lines:
        if other.policy.protective or not other.in_force or other.record is None:
            continue
        preempting = (
            slug in other.policy.preempts
            and other.origin_level == JurisdictionKind.STATE
            and jurisdiction.kind != JurisdictionKind.STATE
        )
        if slug in other.policy.negates or preempting:
            order = LEVEL_ORDER.get(other.origin_level or "", 0)
            found.append((order, other.record, other.origin_ocd_id or ""))
    if not found:
        return None
    # The most local harm is the one this office answers for (its own 287(g)
    # agreement rather than the state's mandate).
    _, row, ocd = max(found, key=lambda f: f[0])
    return row, ocd


def letter_lines(
    *,
    card: Scorecard,
    asks: Sequence[Policy],
    role: str,
    jurisdiction: Jurisdiction,
    similar: SimilarIndex,
    language: str,
    ocd_names: dict[str, str],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(gaps, in_force) for one target. A gap is an ask the office can act on that is
    missing here, or one cancelled by a harmful policy in force (a 287(g)
    agreement, a state preemption), each with its evidence line."""
    levels = ROLE_LEVELS.get(role, frozenset())
    gaps: list[dict[str, Any]] = []
    in_force: list[dict[str, Any]] = []
    with translation.override(language):
        for policy in asks:
            line: PolicyLine | None = card.line(policy.slug)
            name = _policy_name(policy, language)
            status = line.effective_status if line else EffectiveStatus.NONE
            if line is not None and line.in_force and line.record is not None:
                where = ocd_names.get(line.origin_ocd_id or "", str(jurisdiction))
                in_force.append(
                    {
                        "slug": policy.slug,
                        "name": name,
                        "evidence": _evidence(line.record, where=where),
                    }
                )
                continue
            if not levels & set(policy.levels or ()):
                # Not in force and not something this office can adopt: say nothing.
                continue
            harm = _harm_for(card=card, slug=policy.slug, line=line, jurisdiction=jurisdiction)
            if harm is not None:
                row, ocd = harm
                evidence = _evidence(row, where=ocd_names.get(ocd, str(jurisdiction)))
                kind = "harmful"
            else:
                kind = "missing"
                if line is not None and line.record is not None:
                    where = ocd_names.get(line.origin_ocd_id or "", str(jurisdiction))
                    evidence = _evidence(line.record, where=where)
                else:
                    evidence = _("No %(policy)s is on record for %(where)s.") % {
                        "policy": name[:1].lower() + name[1:] if language == "en" else name,
                        "where": str(jurisdiction),
                    }
            gaps.append(
                {
                    "slug": policy.slug,
                    "name": name,
                    "kind": kind,
                    "status": str(status),
                    "evidence": evidence,
                    "similar": similar.nearest(slug=policy.slug, jurisdiction=jurisdiction),
                }
            )
    return gaps, in_force


def signatory_names(*, campaign: Campaign, local_to: Jurisdiction) -> list[dict[str, Any]]:
    return [
        {
            "name": s.organization.name,
            "local": getattr(s, "local_rank", 1) == 0,
            "home": str(s.organization.home_jurisdiction)
            if s.organization.home_jurisdiction_id
            else "",
        }
        for s in campaign_signatories(campaign=campaign, local_to=local_to)
    ]


def _gaps_markdown(gaps: list[dict[str, Any]]) -> str:
    return "\n".join(f"- **{g['name']}**: {g['evidence']}" for g in gaps)


def _official(target: Any, language: str) -> dict[str, str]:
    """How the letter names its addressee; with no known holder, the office by its title."""
    office = getattr(target, "office", None)
    title = office.localized_title(language) if office is not None else target.title
    name = target.holder_name
    return {
        "title": title,
        "name": name or title,
        "salutation": role_info(target.role).salutation(
            language=language, title=title, name=name, family_name=name.split()[-1] if name else ""
        ),
    }


def letter_render(
    *,
    campaign: Campaign,
    target: Any,
    language: str,
    gaps: list[dict[str, Any]],
    in_force: list[dict[str, Any]],
    signatories: list[dict[str, Any]],
) -> tuple[str, str, str, str]:
    """Subject, HTML body, text body and content hash for one copy."""
    with translation.override(language):
        context = {
            "official": _official(target, language),
            "jurisdiction": {"name": str(target.jurisdiction)},
            "gaps": _gaps_markdown(gaps),
            "signatory_count": len(signatories),
        }
        source = campaign.letter_for(language) or ""
        body_md = _engine.from_string(source).render(Context(context))
        body_html = nh3.clean(_markdown.render(body_md))
        title = campaign.title_es if language == "es" and campaign.title_es else campaign.title
        ctx = {
            "campaign_title": title,
            "target": target,
            "body_html": body_html,
            "body_text": body_md.strip(),
            "gaps": gaps,
            "gaps_inline": "{{ gaps" in source.replace("{{gaps", "{{ gaps"),
            "in_force": in_force,
            "signatories": signatories,
            "language": language,
        }
        subject = " ".join(render_to_string("delivery/letter_subject.txt", ctx).split())
        html = render_to_string("delivery/letter_body.html", ctx)
        text = render_to_string("delivery/letter_body.txt", ctx)
    digest = hashlib.sha256(
        json.dumps([subject, html, text], ensure_ascii=False).encode()
    ).hexdigest()
    return subject[:300], html, text, digest


def scorecards_for(jurisdiction_ids: Iterable[int]) -> dict[int, Scorecard]:
    return scorecards_compute(jurisdiction_ids=list(jurisdiction_ids), catalog=catalog_load())


def ocd_names_for(cards: Iterable[Scorecard]) -> dict[str, str]:
    """Names for every ocd id an evidence line may cite (the chain of each card)."""
    ids: set[str] = set()
    for card in cards:
        for line in card.lines:
            for ocd in (line.origin_ocd_id, line.reason_ocd_id):
                if ocd:
                    ids.add(ocd)
    return {
        ocd: (name if kind == JurisdictionKind.STATE else f"{name}, {usps}")
        for ocd, name, kind, usps in Jurisdiction.objects.filter(Q(ocd_id__in=ids)).values_list(
            "ocd_id", "name", "kind", "usps"
        )
    }
