"""Localizing the letter: what each target's jurisdiction lacks, what it already has.

The statuses come from the tracker's scorecard engine
(:func:`firstline.policies.scorecard.scorecards_compute`), computed in bulk for
a whole render batch. ``asks.ask_classify`` sorts each ask into its case; this
module turns the cases into plain, JSON-ready lines with one sentence of
evidence each, then renders the letter triple (subject, HTML, text) from the
campaign's Markdown (filled by ``campaigns.letters``: placeholders only, no
template tags) around one template shared by email and print.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from firstline.campaigns.letters import letter_fill, markdown_to_safe_html
from firstline.campaigns.models import Campaign
from firstline.campaigns.selectors import campaign_signatories
from firstline.geo.models import Jurisdiction, JurisdictionKind
from firstline.officials.roles import role_info
from firstline.policies.models import Policy, PolicyRecord, RecordStatus, SupportModel
from firstline.policies.scorecard import (
    CatalogPolicy,
    EffectiveStatus,
    RecordRow,
    Scorecard,
    catalog_load,
    scorecards_compute,
)

from .asks import AskCase, Placement, Why, ask_classify


def _date(value: Any) -> str:
    return date_format(value, "DATE_FORMAT") if value else ""


def _policy_name(policy: Policy, language: str) -> str:
    return policy.name_es if language == "es" and policy.name_es else policy.name_en


def _cite(row: RecordRow) -> str:
    """The citation with its section, as a reader looks it up."""
    section = (row.section or "").strip()
    citation = row.citation or _("record")
    if section and section.casefold() not in {
        "whole instrument",
        "whole motion",
        "whole ordinance",
    }:
        return f"{citation}, {section}"
    return citation


def _since(row: RecordRow) -> str:
    when = row.effective_on or row.enacted_on
    if when:
        return _date(when)
    return str(row.year) if row.year else ""


def _evidence(row: RecordRow, *, where: str = "") -> str:
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
    values = {"cite": _cite(row), "since": _since(row)}
    if row.status == RecordStatus.IN_FORCE and values["since"]:
        sentence = _("%(cite)s, in force since %(since)s.") % values
    elif row.status == RecordStatus.IN_FORCE:
        sentence = _("%(cite)s, in force.") % values
    elif row.status == RecordStatus.PARTIAL:
        sentence = _("%(cite)s, partly in force.") % values
    else:
        status = dict(RecordStatus.choices).get(row.status, row.status)
        sentence = _("%(cite)s (%(status)s).") % {**values, "status": str(status).lower()}
    return (
        _("%(where)s: %(sentence)s") % {"where": where, "sentence": sentence} if where else sentence
    )


def _short(row: RecordRow) -> str:
    """'SB 4' from 'SB 4, 85th Leg., R.S. (2017); Tex. Gov. Code ch. 752'."""
    return (row.citation or "").split(";")[0].split(",")[0].strip() or _("that law")


def _source(row: RecordRow | None) -> str:
    return (row.moa_url or row.source_url) if row is not None else ""


@dataclass
class SimilarIndex:
    """Jurisdictions of each kind where a protective policy is in force, for "X already did it"."""

    # (slug, kind) -> [(id, name, usps, population, ocd id, short name)]
    by_key: dict[tuple[str, str], list[tuple[int, str, str, int, str, str]]]

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
                "jurisdiction__short_name",
            )
            .distinct()
        )
        by_key: dict[tuple[str, str], list[tuple[int, str, str, int, str, str]]] = {}
        for slug, kind, jid, name, usps, population, ocd_id, short in rows:
            by_key.setdefault((slug, kind), []).append(
                (jid, name, usps, population or 0, ocd_id, short)
            )
        return cls(by_key=by_key)

    def nearest(
        self, *, slug: str, jurisdiction: Jurisdiction, language: str = "en"
    ) -> dict[str, str] | None:
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
        name = jurisdiction_label(
            name=best[1],
            short_name=best[5],
            kind=jurisdiction.kind,
            usps=best[2],
            language=language,
        )
        return {"name": name, "ocd_id": best[4]}


@dataclass(frozen=True)
class LetterLines:
    """One copy's asks, JSON-ready: the asks (act, harm, blocked), the thanks, and
    why each ask landed where it did (for the staff preview)."""

    gaps: list[dict[str, Any]]
    in_force: list[dict[str, Any]]
    reasoning: list[dict[str, Any]]


def _item(
    placement: Placement,
    *,
    name: str,
    jurisdiction: Jurisdiction,
    ocd_names: dict[str, str],
    names: dict[str, str],
    similar: SimilarIndex,
) -> dict[str, Any]:
    here = ocd_names.get(jurisdiction.ocd_id, str(jurisdiction))
    item: dict[str, Any] = {
        "slug": placement.slug,
        "name": name,
        "case": str(placement.case),
        "status": placement.status,
    }
    if placement.case == AskCase.THANKS and placement.record is not None:
        where = ocd_names.get(placement.record_ocd_id, here)
        item |= {
            "own": placement.why == Why.IN_FORCE_OWN,
            "evidence": _evidence(placement.record, where=where),
            "source_url": _source(placement.record),
        }
    elif placement.case == AskCase.HARM and placement.harm is not None:
        item |= {
            "harm_name": names.get(placement.harm_policy, placement.harm_policy),
            "evidence": _evidence(placement.harm, where=here),
            "source_url": _source(placement.harm),
        }
    elif placement.case == AskCase.ACT:
        if placement.record is not None:
            evidence = _evidence(
                placement.record, where=ocd_names.get(placement.record_ocd_id, here)
            )
        elif placement.status == EffectiveStatus.ABSENT:
            evidence = _("Our research found it not in force in %(where)s.") % {"where": here}
        else:
            evidence = _("We found no record of it in %(where)s.") % {"where": here}
        item |= {
            "evidence": evidence,
            "source_url": _source(placement.record),
            "similar": similar.nearest(
                slug=placement.slug, jurisdiction=jurisdiction, language=translation.get_language()
            ),
        }
    if placement.blocker is not None:
        state = ocd_names.get(placement.blocker_ocd_id, "")
        if placement.case == AskCase.BLOCKED:
            item["evidence"] = _evidence(placement.blocker, where=state)
            item["source_url"] = _source(placement.blocker)
        item["blocker"] = {
            "key": placement.blocker.id,
            "where": state,
            "short": _short(placement.blocker),
            "evidence": _evidence(placement.blocker),
            "source_url": _source(placement.blocker),
            "penalty": _penalty_cite(placement.penalty, placement.blocker),
        }
    return item


def _penalty_cite(penalty: RecordRow | None, blocker: RecordRow) -> str:
    """The penalty's section, or its full citation when another law carries it."""
    if penalty is None:
        return ""
    if penalty.citation == blocker.citation and penalty.section:
        return penalty.section
    return _cite(penalty)


def _reason(placement: Placement, item: dict[str, Any] | None, name: str) -> dict[str, Any]:
    """What the staff preview shows beside the copy; worded at view time (``reason_text``)."""
    cite = ""
    if placement.harm is not None:
        cite = (
            _cite(placement.harm) if not placement.harm.agency_name else placement.harm.agency_name
        )
    elif placement.blocker is not None:
        cite = _cite(placement.blocker)
    elif placement.record is not None:
        cite = _cite(placement.record)
    return {
        "slug": placement.slug,
        "name": name,
        "case": str(placement.case) if placement.case else "",
        "why": str(placement.why),
        "status": placement.status,
        "cite": cite,
        "mandate": _cite(placement.blocker) if placement.blocker is not None else "",
        "included": item is not None,
    }


def letter_lines(
    *,
    card: Scorecard,
    asks: Sequence[Policy],
    catalog: dict[str, CatalogPolicy],
    role: str,
    jurisdiction: Jurisdiction,
    similar: SimilarIndex,
    language: str,
    ocd_names: dict[str, str],
    policy_names: dict[str, Policy],
) -> LetterLines:
    """Every ask of the campaign sorted for one office (see ``asks.ask_classify``)."""
    acts_on = role_info(role).acts_on
    gaps: list[dict[str, Any]] = []
    in_force: list[dict[str, Any]] = []
    reasoning: list[dict[str, Any]] = []
    with translation.override(language):
        names = {slug: _policy_name(p, language) for slug, p in policy_names.items()}
        for policy in asks:
            name = names.get(policy.slug) or _policy_name(policy, language)
            placement = ask_classify(card=card, policy=catalog[policy.slug], acts_on=acts_on)
            item = None
            if placement.case is not None:
                item = _item(
                    placement,
                    name=name,
                    jurisdiction=jurisdiction,
                    ocd_names=ocd_names,
                    names=names,
                    similar=similar,
                )
                (in_force if placement.case == AskCase.THANKS else gaps).append(item)
            reasoning.append(_reason(placement, item, name))
    return LetterLines(gaps=gaps, in_force=in_force, reasoning=reasoning)


def reason_text(reason: dict[str, Any]) -> str:
    """The staff preview's sentence for one ask, in the request's language."""
    status = str(dict(EffectiveStatus.choices).get(reason["status"], reason["status"]))
    values = {
        "status": status.lower(),
        "cite": reason.get("cite", ""),
        "mandate": reason.get("mandate", ""),
    }
    texts = {
        Why.GAP: _("Not in force here (%(status)s) and within this office's power: asked."),
        Why.IN_FORCE_OWN: _("In force under this jurisdiction's own %(cite)s: thanked, not asked."),
        Why.IN_FORCE_ABOVE: _(
            "In force here under %(cite)s, from a higher level: thanked, not asked."
        ),
        Why.OWN_HARM: _(
            "Cancelled by this office's own harmful policy (%(cite)s): asked to end it."
        ),
        Why.OWN_HARM_MANDATED: _(
            "Cancelled by this office's own harmful policy (%(cite)s), which state law requires "
            "(%(mandate)s): only what remains possible is asked, and repeal."
        ),
        Why.PREEMPTED: _(
            "State law forbids it here (%(cite)s): not asked; what remains possible and repeal are."
        ),
        Why.OUTSIDE_POWER: _("Outside this office's power (%(status)s): left out."),
    }
    return texts[Why(reason["why"])] % values


def signatory_names(
    *, campaign: Campaign, local_to: Jurisdiction, language: str = "en"
) -> list[dict[str, Any]]:
    """The signatory list a copy is rendered with (and keeps), local ones first."""
    return [
        {
            "id": s.pk,
            "name": s.organization.name,
            "local": getattr(s, "local_rank", 1) == 0,
            "home": jurisdiction_name(home, language) if home is not None else "",
        }
        for s in campaign_signatories(campaign=campaign, local_to=local_to)
        for home in [s.organization.home_jurisdiction]
    ]


def letter_title(target: Any, language: str) -> str:
    """The office's title in the letter's language. With no Spanish title on record,
    the role's Spanish name and the place ("Alcalde(sa) de Houston, TX"), never English."""
    office = getattr(target, "office", None)
    if office is not None:
        if language != "es" or office.title_es:
            return office.localized_title(language)
    elif language != "es":
        return target.title
    with translation.override(language):
        return _("%(role)s of %(place)s") % {
            "role": role_info(target.role).singular,
            "place": jurisdiction_name(target.jurisdiction, language),
        }


def _official(target: Any, language: str) -> dict[str, str]:
    """How the letter names its addressee; with no known holder, the office by its title."""
    title = letter_title(target, language)
    name = target.holder_name
    family = name.split()[-1] if name else ""
    person = getattr(getattr(target, "office", None), "holder", None)
    family = getattr(person, "family_name", "") or family
    salutation = role_info(target.role).salutation(
        language=language, title=title, name=name, family_name=family
    )
    return {
        "title": title,
        "name": name or title,
        # "Dear Sheriff Waybourn" / "Estimado/a Alguacil Waybourn"; the campaign's
        # text (``{{ official.salutation }},``) or the letter's own line punctuates it.
        "salutation": salutation,
        "salutation_line": salutation + (":" if language == "es" else ","),
    }


def _blocked_groups(gaps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Blocked asks grouped by the law in the way, so each statute is named once."""
    groups: dict[int, dict[str, Any]] = {}
    for gap in gaps:
        if gap["case"] != AskCase.BLOCKED:
            continue
        blocker = gap["blocker"]
        group = groups.setdefault(blocker["key"], {**blocker, "asks": []})
        group["asks"].append(gap["name"])
    return list(groups.values())


def reply_contact(campaign: Campaign) -> dict[str, str]:
    return {
        "name": campaign.reply_name,
        "organization": campaign.reply_organization,
        "email": campaign.reply_email,
        "phone": campaign.reply_phone,
    }


_SALUTATION_LINE = re.compile(r"^\s*(Dear|Estimad[oa]s?(/a)?)\b[^\n]*\{\{[^\n]*\n", re.IGNORECASE)
_ASKS_MARK = "FIRSTLINEASKSGOHERE"


def _body_parts(source: str, values: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The campaign's Markdown around the asks, as (HTML, text) pairs before and after
    ``{{ gaps }}``. A legacy salutation line is dropped: the letter writes its own."""
    if "official.salutation" not in source:
        source = _SALUTATION_LINE.sub("", source, count=1)
    filled, _unknown = letter_fill(source, {**values, "gaps": _ASKS_MARK})
    before, _mark, after = filled.partition(_ASKS_MARK)
    html = [markdown_to_safe_html(part) if part.strip() else "" for part in (before, after)]
    text = [_UNESCAPE.sub(r"\1", part).strip() for part in (before, after)]
    return html, text


_UNESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>|~])")


def letter_render(
    *,
    campaign: Campaign,
    target: Any,
    language: str,
    lines: LetterLines,
    signatories: list[dict[str, Any]],
) -> tuple[str, str, str, str]:
    """Subject, HTML body, text body and content hash for one copy."""
    with translation.override(language):
        official = _official(target, language)
        title = campaign.title_es if language == "es" and campaign.title_es else campaign.title
        html_parts, text_parts = _body_parts(
            campaign.letter_for(language) or "",
            {
                "official.title": official["title"],
                "official.name": official["name"],
                "official.salutation": official["salutation"],
                "jurisdiction.name": jurisdiction_name(target.jurisdiction, language),
                "signatory_count": str(len(signatories)),
                "campaign.title": title,
            },
        )
        state = getattr(target.jurisdiction, "state", None) or target.jurisdiction
        ctx = {
            "campaign_title": title,
            "target": target,
            "official": official,
            "salutation_in_body": "official.salutation" in (campaign.letter_for(language) or ""),
            "body_before_html": html_parts[0],
            "body_after_html": html_parts[1],
            "body_before_text": text_parts[0],
            "body_after_text": text_parts[1],
            "where": jurisdiction_name(target.jurisdiction, language),
            "state_name": str(state.name),
            "act": [g for g in lines.gaps if g["case"] == AskCase.ACT],
            "harm": [g for g in lines.gaps if g["case"] == AskCase.HARM],
            "blocked": _blocked_groups(lines.gaps),
            "in_force": lines.in_force,
            "reply": reply_contact(campaign),
            "signatories": signatories,
            "language": language,
        }
        subject = " ".join(render_to_string("delivery/letter_subject.txt", ctx).split())
        html = render_to_string("delivery/letter_body.html", ctx)
        # Sections that are absent leave blank runs behind: one blank line between paragraphs.
        text = re.sub(r"\n{3,}", "\n\n", str(render_to_string("delivery/letter_body.txt", ctx)))
    text = text.strip() + "\n"
    digest = hashlib.sha256(
        json.dumps([subject, html, text], ensure_ascii=False).encode()
    ).hexdigest()
    return subject[:300], html, text, digest


def scorecards_for(
    jurisdiction_ids: Iterable[int],
) -> tuple[dict[int, Scorecard], dict[str, CatalogPolicy]]:
    """The effective scorecards of these jurisdictions, and the catalog they were scored with."""
    catalog = catalog_load()
    cards = scorecards_compute(jurisdiction_ids=list(jurisdiction_ids), catalog=catalog)
    return cards, {p.slug: p for p in catalog.policies}


def jurisdiction_label(*, name: str, short_name: str, kind: str, usps: str, language: str) -> str:
    """How a letter names a jurisdiction: "Houston, TX" (not the Census "Houston
    city"), "Tarrant County, TX" or, in Spanish, "Condado de Tarrant, TX"."""
    if kind == JurisdictionKind.STATE:
        return name
    if kind == JurisdictionKind.PLACE and short_name:
        return f"{short_name}, {usps}"
    if language == "es" and short_name and name.endswith(" County"):
        return _("County of %(name)s") % {"name": short_name} + f", {usps}"
    return f"{name}, {usps}"


def jurisdiction_name(jurisdiction: Jurisdiction, language: str) -> str:
    with translation.override(language):
        return jurisdiction_label(
            name=jurisdiction.name,
            short_name=jurisdiction.short_name,
            kind=jurisdiction.kind,
            usps=jurisdiction.usps,
            language=language,
        )


def ocd_names_for(cards: Iterable[Scorecard], *, language: str = "en") -> dict[str, str]:
    """Names for every ocd id an evidence line may cite (the chain of each card)."""
    ids: set[str] = set()
    for card in cards:
        ids.add(card.jurisdiction.ocd_id)
        for line in card.lines:
            for ocd in (line.origin_ocd_id, line.reason_ocd_id):
                if ocd:
                    ids.add(ocd)
    with translation.override(language):
        return {
            ocd: jurisdiction_label(
                name=name, short_name=short, kind=kind, usps=usps, language=language
            )
            for ocd, name, short, kind, usps in Jurisdiction.objects.filter(
                Q(ocd_id__in=ids)
            ).values_list("ocd_id", "name", "short_name", "kind", "usps")
        }


CASE_LABELS = {
    AskCase.ACT: gettext_lazy("You can act"),
    AskCase.HARM: gettext_lazy("Harm to end"),
    AskCase.BLOCKED: gettext_lazy("Blocked by state law"),
    AskCase.THANKS: gettext_lazy("Already in force"),
}


def letter_reasoning(*, letter: Any) -> list[dict[str, Any]]:
    """The copy's reasons, worded in the staff member's language."""
    return [
        {
            **reason,
            "case_label": CASE_LABELS[AskCase(reason["case"])] if reason["case"] else _("Left out"),
            "text": reason_text(reason),
        }
        for reason in letter.reasoning or []
    ]
