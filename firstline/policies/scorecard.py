"""The scorecard engine: effective policies, score, grade and gaps per jurisdiction.

The rules are published on the methodology page and in ``docs/scoring.md``;
this module is their only implementation. It works in two layers:

* a pure part (:func:`score_chain`) that scores one jurisdiction from plain
  rows, so the rules can be unit-tested without a database;
* a bulk part (:func:`scorecards_compute`) that loads the catalog, the
  jurisdictions and every record it needs in three queries, indexes them by
  jurisdiction and scores thousands of jurisdictions in memory. Places with no
  records of their own share the result of their (county, state) pair, which is
  what makes a national recompute take a second or two instead of minutes.

Compact summaries (score, grade, effective status per policy, core research
coverage) are stored as one :class:`firstline.policies.models.Scorecard` row
per jurisdiction. A record change recomputes exactly the jurisdictions it
affects (:func:`scorecard_affected_ids`) in a task: it draws a ticket, computes
with reads only, then writes in one short transaction that replaces only rows
computed from an older ticket, so a slow recompute never overwrites a newer one.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Q, TextChoices
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from firstline.geo.models import Jurisdiction, JurisdictionKind
from firstline.policies.legal_status import agreement_status, provision_status
from firstline.policies.models import (
    Instrument,
    Policy,
    PolicyKind,
    PolicyRecord,
    RecordStatus,
    ResearchCheck,
    ScorecardTicket,
)
from firstline.policies.models import Scorecard as ScorecardRow
from firstline.policies.selectors import legal_event_rows
from firstline.policies.signals import scorecards_changed

# Bump when the rules change, so stored results of the old rules are never read.
ALGORITHM_VERSION = 2

# Levels from the broadest down; a harmful policy negates protections at its level and below.
LEVEL_ORDER: dict[str, int] = {
    JurisdictionKind.STATE: 0,
    JurisdictionKind.COUNTY: 1,
    JurisdictionKind.PLACE: 2,
}

# Which catalog "levels" a jurisdiction's own officials can act at. School
# districts and courts are not jurisdictions here, so their levels never make a gap.
ADOPTING_LEVELS: dict[str, frozenset[str]] = {
    JurisdictionKind.STATE: frozenset({"state"}),
    JurisdictionKind.COUNTY: frozenset({"county", "sheriff"}),
    JurisdictionKind.PLACE: frozenset({"city"}),
}

# When one jurisdiction holds several records of a policy, the one that says most
# about what is in force now represents it.
STATUS_RANK: dict[str, int] = {
    RecordStatus.IN_FORCE: 0,
    RecordStatus.PARTIAL: 1,
    RecordStatus.ENJOINED: 2,
    RecordStatus.PROPOSED: 3,
    RecordStatus.PREEMPTED: 4,
    RecordStatus.RESCINDED: 5,
    RecordStatus.VETOED: 6,
    RecordStatus.FAILED: 7,
    RecordStatus.PENDING: 3,
    RecordStatus.STRUCK_DOWN: 2,
    RecordStatus.ENDED: 5,
}
CREDIT_SHARE: dict[str, float] = {RecordStatus.IN_FORCE: 1.0, RecordStatus.PARTIAL: 0.5}

# Grade bands over the 0-100 score; a jurisdiction with nothing on record scores
# 100 * H / (P + H) (about 32 with the current catalog), which is a D.
GRADE_BANDS: tuple[tuple[int, str], ...] = ((70, "A"), (55, "B"), (42, "C"), (30, "D"), (0, "F"))


class EffectiveStatus(TextChoices):
    IN_FORCE = "in_force", _("In force")
    PARTIAL = "partial", _("Partly in force")
    PROPOSED = "proposed", _("Proposed")
    ENJOINED = "enjoined", _("Blocked by a court")
    PREEMPTED = "preempted", _("Preempted")
    NEGATED = "negated", _("Cancelled by a harmful policy")
    RESCINDED = "rescinded", _("Rescinded")
    VETOED = "vetoed", _("Vetoed")
    FAILED = "failed", pgettext_lazy("bill status", "Failed")
    PENDING = "pending", _("Enacted, not yet in effect")
    STRUCK_DOWN = "struck_down", _("Struck down by a court")
    ENDED = "ended", _("Ended (repealed, expired or superseded)")
    # A harmful fact of a broader level's agency (a state police 287(g) agreement):
    # it counts here, but it is the state's, not this county's or city's.
    HELD_ABOVE = "held_above", _("In force at state level")
    ABSENT = "absent", _("Researched: not in force")
    NONE = "none", _("Not researched")


# --- Plain rows the engine works on -------------------------------------------------


@dataclass(frozen=True, slots=True)
class CatalogPolicy:
    slug: str
    kind: str
    weight: int
    levels: frozenset[str]
    negates: frozenset[str] = frozenset()
    preempts: frozenset[str] = frozenset()
    sort_order: int = 0
    core: bool = False

    @property
    def protective(self) -> bool:
        return self.kind == PolicyKind.PROTECTIVE


@dataclass(frozen=True, slots=True)
class Catalog:
    policies: tuple[CatalogPolicy, ...]
    protective_max: int = field(init=False)
    harm_max: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "protective_max", sum(p.weight for p in self.policies if p.protective)
        )
        object.__setattr__(
            self, "harm_max", sum(p.weight for p in self.policies if not p.protective)
        )


@dataclass(frozen=True, slots=True)
class Unit:
    """A jurisdiction as the engine sees it."""

    id: int
    ocd_id: str
    kind: str
    state_id: int | None = None
    county_id: int | None = None
    name: str = ""
    usps: str = ""


@dataclass(frozen=True, slots=True)
class RecordRow:
    id: int
    policy: str  # slug
    jurisdiction_id: int
    status: str
    confidence: str = "verified"
    citation: str = ""
    source_url: str = ""
    instrument_kind: str = ""
    year: int | None = None
    enacted_on: date | None = None
    effective_on: date | None = None
    ended_on: date | None = None
    signed_on: date | None = None
    as_of: date | None = None
    verified_on: date | None = None
    agency_name: str = ""
    support_model: str = ""
    moa_url: str = ""
    instrument_id: int | None = None
    section: str = ""
    extent: str = "full"
    first_seen_on: date | None = None

    @property
    def agency_fact(self) -> bool:
        """A fact about one agency (a 287(g) agreement), not a law binding the whole jurisdiction."""
        return bool(self.agency_name)

    @property
    def sort_key(self) -> tuple[int, int, int]:
        when = self.effective_on or self.enacted_on or self.signed_on or self.as_of
        # Best status first, then the most recent instrument (undated last), then a stable id.
        return (STATUS_RANK.get(self.status, 9), -when.toordinal() if when else 0, self.id)

    def as_json(self) -> dict[str, Any]:
        iso = lambda d: d.isoformat() if d else None  # noqa: E731
        return {
            "id": self.id,
            "status": self.status,
            "confidence": self.confidence,
            "citation": self.citation,
            "source_url": self.source_url,
            "instrument_kind": self.instrument_kind,
            "agency_name": self.agency_name,
            "support_model": self.support_model,
            "moa_url": self.moa_url,
            "instrument_id": self.instrument_id,
            "section": self.section,
            "extent": self.extent,
            "dates": {
                "year": self.year,
                "enacted_on": iso(self.enacted_on),
                "effective_on": iso(self.effective_on),
                "ended_on": iso(self.ended_on),
                "signed_on": iso(self.signed_on),
                "as_of": iso(self.as_of),
                "verified_on": iso(self.verified_on),
            },
        }


@dataclass(frozen=True, slots=True)
class PolicyLine:
    policy: CatalogPolicy
    effective_status: str
    origin_level: str | None = None
    origin_ocd_id: str | None = None
    record: RecordRow | None = None
    # Every record of this policy at the origin level (several 287(g) agreements, say).
    records: tuple[RecordRow, ...] = ()
    credit: float = 0.0  # positive for protections, negative for harms
    # For preempted or negated protections: the harmful record that cancels them.
    reason: RecordRow | None = None
    reason_policy: str = ""
    reason_ocd_id: str = ""
    # The level (state, county, place) of the jurisdiction holding ``reason``.
    reason_level: str = ""
    momentum: bool = False  # a proposal is pending somewhere in the chain

    @property
    def in_force(self) -> bool:
        return self.effective_status in (EffectiveStatus.IN_FORCE, EffectiveStatus.PARTIAL)

    @property
    def unverified(self) -> bool:
        """Whether the evidence that gives this line its status is unverified.

        A failed or pending bill listed beside an enacted, verified law does not
        make the law's line read as unverified.
        """
        carrying = [r for r in self.records if r.status in CREDIT_SHARE] or [
            r for r in (self.record,) if r is not None
        ]
        return any(r.confidence != "verified" for r in carrying)


@dataclass(frozen=True, slots=True)
class Result:
    """What a chain of (state, county, own) records scores, shared by every place with no own records."""

    score: int
    grade: str
    credit: float
    harm: float
    lines: tuple[PolicyLine, ...]
    gaps: tuple[str, ...]
    # Research coverage of the core policies over the chain (own + county + state).
    core_total: int = 0
    core_missing: tuple[str, ...] = ()

    @property
    def core_researched(self) -> int:
        return self.core_total - len(self.core_missing)

    @property
    def incomplete(self) -> bool:
        return bool(self.core_missing)


@dataclass(frozen=True, slots=True)
class Scorecard:
    jurisdiction: Unit
    result: Result

    @property
    def score(self) -> int:
        return self.result.score

    @property
    def grade(self) -> str:
        return self.result.grade

    @property
    def lines(self) -> tuple[PolicyLine, ...]:
        return self.result.lines

    @property
    def gaps(self) -> tuple[str, ...]:
        return self.result.gaps

    @property
    def incomplete(self) -> bool:
        return self.result.incomplete

    def line(self, slug: str) -> PolicyLine | None:
        return next((line for line in self.result.lines if line.policy.slug == slug), None)

    def summary(self) -> Summary:
        return Summary(
            score=self.score,
            grade=self.grade,
            statuses={
                ln.policy.slug: ln.effective_status
                for ln in self.lines
                if ln.effective_status != EffectiveStatus.NONE
            },
            core_researched=self.result.core_researched,
            core_total=self.result.core_total,
        )

    def coverage_json(self) -> dict[str, Any]:
        return {
            "core_total": self.result.core_total,
            "core_researched": self.result.core_researched,
            "core_not_researched": list(self.result.core_missing),
            "incomplete": self.result.incomplete,
        }

    def as_json(self) -> dict[str, Any]:
        return {
            "ocd_id": self.jurisdiction.ocd_id,
            "kind": self.jurisdiction.kind,
            "name": self.jurisdiction.name,
            "score": self.score,
            "grade": self.grade,
            "gaps": list(self.gaps),
            "coverage": self.coverage_json(),
            "policies": [
                {
                    "policy": ln.policy.slug,
                    "kind": ln.policy.kind,
                    "weight": ln.policy.weight,
                    "effective_status": ln.effective_status,
                    "credit": ln.credit,
                    "origin_level": ln.origin_level,
                    "origin_ocd_id": ln.origin_ocd_id,
                    "record": ln.record.as_json() if ln.record else None,
                    "record_count": len(ln.records),
                    "momentum": ln.momentum,
                    "researched": ln.effective_status != EffectiveStatus.NONE,
                    **(
                        {
                            "reason": {
                                "policy": ln.reason_policy,
                                "ocd_id": ln.reason_ocd_id,
                                "level": ln.reason_level,
                                "record": ln.reason.as_json(),
                            }
                        }
                        if ln.reason
                        else {}
                    ),
                }
                for ln in self.lines
            ],
        }


@dataclass(frozen=True, slots=True)
class Summary:
    """What a Scorecard row keeps per jurisdiction: enough for grades, children lists and map layers."""

    score: int
    grade: str
    statuses: Mapping[str, str] = field(default_factory=dict)
    core_researched: int = 0
    core_total: int = 0

    @property
    def incomplete(self) -> bool:
        return self.core_researched < self.core_total


# --- The rules -------------------------------------------------------------------


def grade_for(score: int) -> str:
    return next(grade for floor, grade in GRADE_BANDS if score >= floor)


def normalize(*, net: float, catalog: Catalog) -> int:
    """Map net credit (protections minus harms, in weight units) linearly onto 0-100.

    -H (every harm in force, no protection) is 0 and +P (every protection, no
    harm) is 100, so each weight point moves the score by the same amount.
    """
    span = catalog.protective_max + catalog.harm_max
    if span <= 0:
        return 0
    return max(0, min(100, round(100 * (net + catalog.harm_max) / span)))


def score_chain(
    *,
    kind: str,
    chain: Sequence[tuple[Unit, Sequence[RecordRow]]],
    catalog: Catalog,
    research: Mapping[int, frozenset[str]] | None = None,
) -> Result:
    """Score a jurisdiction of ``kind`` from its chain: (state, records), [(county, records)], (own, records).

    ``chain`` is ordered from the broadest level down and ends with the
    jurisdiction itself. Each unit's kind is its level. ``research`` maps a
    unit id to the policies researched there and found not in force.
    """
    researched = {slug for unit, _rows in chain for slug in (research or {}).get(unit.id, ())}
    researched |= {r.policy for _unit, rows in chain for r in rows}
    by_level = _group_by_level(chain)
    negations, preemptions = _harms_in_force(by_level, {p.slug: p for p in catalog.policies})

    lines: list[PolicyLine] = []
    credit = harm = 0.0
    for policy in catalog.policies:
        momentum = False
        candidates: list[PolicyLine] = []
        # Most local first, so on equal standing the jurisdiction's own action is shown.
        for unit, grouped in reversed(by_level):
            rows = grouped.get(policy.slug, [])
            if not rows:
                continue
            momentum = momentum or any(r.status == RecordStatus.PROPOSED for r in rows)
            candidates.append(_candidate(policy, unit, rows, negations, preemptions))
        preempting = preemptions.get(policy.slug) if kind != JurisdictionKind.STATE else None
        # Nothing earns credit and the state forbids it here: say so even with no
        # local record, because that is why local officials cannot adopt it.
        if (
            preempting
            and policy.protective
            and not any(c.credit for c in candidates)
            and not any(c.reason for c in candidates)
        ):
            ban, holder = preempting
            candidates.append(
                PolicyLine(
                    policy=policy,
                    effective_status=EffectiveStatus.PREEMPTED,
                    reason=ban,
                    reason_ocd_id=holder.ocd_id,
                    reason_level=holder.kind,
                    reason_policy=ban.policy,
                )
            )
        if not candidates:
            absent = policy.slug in researched
            status = EffectiveStatus.ABSENT if absent else EffectiveStatus.NONE
            lines.append(PolicyLine(policy=policy, effective_status=status))
            continue
        # The line that counts: most credit (or most harm); with none, the most telling status.
        chosen = min(
            candidates,
            key=lambda c: (
                -abs(c.credit),
                0 if c.reason else 1,
                STATUS_RANK.get(c.effective_status, 9),
            ),
        )
        if momentum != chosen.momentum:
            chosen = PolicyLine(**{**_fields(chosen), "momentum": momentum})
        if _held_above(chosen, kind):
            chosen = PolicyLine(
                **{**_fields(chosen), "effective_status": EffectiveStatus.HELD_ABOVE}
            )
        lines.append(chosen)
        if chosen.credit > 0:
            credit += chosen.credit
        else:
            harm -= chosen.credit

    score = normalize(net=credit - harm, catalog=catalog)
    adopting = ADOPTING_LEVELS.get(kind, frozenset())
    gaps = tuple(
        line.policy.slug
        for line in lines
        if line.policy.protective
        and line.policy.levels & adopting
        and line.effective_status != EffectiveStatus.IN_FORCE
        # The state forbids it locally: not something local officials can adopt today.
        and not (kind != JurisdictionKind.STATE and line.policy.slug in preemptions)
    )
    core = [p.slug for p in catalog.policies if p.core]
    return Result(
        score=score,
        grade=grade_for(score),
        credit=credit,
        harm=harm,
        lines=tuple(lines),
        gaps=gaps,
        core_total=len(core),
        core_missing=tuple(slug for slug in core if slug not in researched),
    )


def _candidate(
    policy: CatalogPolicy,
    unit: Unit,
    rows: list[RecordRow],
    negations: list[tuple[int, str, RecordRow, Unit]],
    preemptions: dict[str, tuple[RecordRow, Unit]],
) -> PolicyLine:
    """What one level's best record of ``policy`` is worth, after negation and preemption."""
    best = rows[0]
    status, share = best.status, CREDIT_SHARE.get(best.status, 0.0)
    reason: tuple[RecordRow, Unit, str] | None = None
    if policy.protective and share:
        order = LEVEL_ORDER[unit.kind]
        preempting = preemptions.get(policy.slug) if unit.kind != JurisdictionKind.STATE else None
        # An agency's own agreement at state level (state police) is a state
        # fact: it does not cancel a county's or city's protections.
        negating = next(
            (
                (r, u)
                for o, t, r, u in negations
                if t == policy.slug and o <= order and not (r.agency_fact and o == 0 and order > 0)
            ),
            None,
        )
        if preempting:
            status, share, reason = (
                EffectiveStatus.PREEMPTED,
                0.0,
                (*preempting, preempting[0].policy),
            )
        elif negating:
            status, share, reason = (
                EffectiveStatus.NEGATED,
                0.0,
                (*negating, negating[0].policy),
            )
    weight = policy.weight * share
    return PolicyLine(
        policy=policy,
        effective_status=status,
        origin_level=unit.kind,
        origin_ocd_id=unit.ocd_id,
        record=best,
        records=tuple(rows),
        credit=weight if policy.protective else -weight,
        reason=reason[0] if reason else None,
        reason_ocd_id=reason[1].ocd_id if reason else "",
        reason_level=reason[1].kind if reason else "",
        reason_policy=reason[2] if reason else "",
    )


Levels = list[tuple[Unit, dict[str, list[RecordRow]]]]


def _group_by_level(chain: Sequence[tuple[Unit, Sequence[RecordRow]]]) -> Levels:
    """Each unit's records by policy, best first (status, then most recent)."""
    by_level: Levels = []
    for unit, records in chain:
        grouped: dict[str, list[RecordRow]] = defaultdict(list)
        for record in records:
            grouped[record.policy].append(record)
        for rows in grouped.values():
            rows.sort(key=lambda r: r.sort_key)
        by_level.append((unit, grouped))
    return by_level


def _harms_in_force(
    by_level: Levels, policies: Mapping[str, CatalogPolicy]
) -> tuple[list[tuple[int, str, RecordRow, Unit]], dict[str, tuple[RecordRow, Unit]]]:
    """Harms in force, by the level that holds them: they negate below and, from the state, preempt.

    Returns ``[(level order, protective slug, harm record, holder)]`` and
    ``{protective slug: (harm record, state)}``.
    """
    negations: list[tuple[int, str, RecordRow, Unit]] = []
    preemptions: dict[str, tuple[RecordRow, Unit]] = {}
    for unit, grouped in by_level:
        order = LEVEL_ORDER[unit.kind]
        for slug, rows in grouped.items():
            policy = policies.get(slug)
            if policy is None or policy.protective or rows[0].status not in CREDIT_SHARE:
                continue
            for target in policy.negates:
                negations.append((order, target, rows[0], unit))
            if unit.kind == JurisdictionKind.STATE:
                for target in policy.preempts:
                    preemptions.setdefault(target, (rows[0], unit))
    return negations, preemptions


def _held_above(line: PolicyLine, kind: str) -> bool:
    """A state agency's harmful fact (its 287(g) agreement) on a county or city card.

    It still counts against the score (the agency works here too), but it is
    shown as the state's, never as an agreement of this jurisdiction. A
    county's own agreement stays "in force" on its places' cards: the county
    jail is where the city's arrests are booked.
    """
    return (
        line.credit < 0
        and line.record is not None
        and line.record.agency_fact
        and line.origin_level == JurisdictionKind.STATE
        and kind != JurisdictionKind.STATE
    )


def _fields(line: PolicyLine) -> dict[str, Any]:
    return {name: getattr(line, name) for name in PolicyLine.__slots__}  # type: ignore[attr-defined]


# --- Loading ---------------------------------------------------------------------

RECORD_FIELDS = (
    "id", "policy__slug", "jurisdiction_id", "status", "confidence", "citation", "source_url", "instrument_kind", "year",
    "enacted_on", "effective_on", "ended_on", "signed_on", "as_of", "verified_on", "agency_name", "support_model",
    "moa_url", "instrument_id", "section", "extent", "first_seen_on",
)  # fmt: skip
UNIT_FIELDS = ("id", "ocd_id", "kind", "state_id", "county_id", "name", "usps")


def catalog_from_policies(policies: Iterable[Policy]) -> Catalog:
    return Catalog(
        policies=tuple(
            CatalogPolicy(
                slug=p.slug,
                kind=p.kind,
                weight=p.weight,
                levels=frozenset(p.levels or ()),
                negates=frozenset(p.negates or ()),
                preempts=frozenset(p.preempts or ()),
                sort_order=p.sort_order,
                core=p.core,
            )
            for p in sorted(policies, key=lambda p: (p.sort_order, p.slug))
        )
    )


def catalog_load() -> Catalog:
    return catalog_from_policies(
        Policy.objects.only(
            "slug", "kind", "weight", "levels", "negates", "preempts", "sort_order", "core"
        )
    )


def _records_by_jurisdiction(
    jurisdiction_ids: Iterable[int] | None, *, on: date | None = None
) -> dict[int, list[RecordRow]]:
    qs = PolicyRecord.objects.filter(jurisdiction__isnull=False).exclude(
        status=RecordStatus.WITHDRAWN
    )
    if jurisdiction_ids is not None:
        ids = list(set(jurisdiction_ids))
        qs = qs.filter(jurisdiction_id__in=ids)
    rows = [
        RecordRow(*values) for values in qs.values_list(*RECORD_FIELDS).iterator(chunk_size=5000)
    ]
    if on is not None:
        rows = restate(rows, on=on)
    out: dict[int, list[RecordRow]] = defaultdict(list)
    for row in rows:
        out[row.jurisdiction_id].append(row)
    return out


def _research_by_jurisdiction(jurisdiction_ids: Iterable[int] | None) -> dict[int, frozenset[str]]:
    qs = ResearchCheck.objects.all()
    if jurisdiction_ids is not None:
        qs = qs.filter(jurisdiction_id__in=list(set(jurisdiction_ids)))
    out: dict[int, set[str]] = defaultdict(set)
    for jid, slug in qs.values_list("jurisdiction_id", "policy__slug").iterator(chunk_size=5000):
        out[jid].add(slug)
    return {jid: frozenset(slugs) for jid, slugs in out.items()}


def restate(rows: Sequence[RecordRow], *, on: date) -> list[RecordRow]:
    """The same rows with each status as it stood on ``on`` (rows that did not exist yet drop out).

    Two queries: the instruments and their events. Provisions follow their
    instrument and events; 287(g) agreements their start and end dates.
    """
    ids = {r.instrument_id for r in rows if r.instrument_id}
    instruments = {
        v[0]: v[1:]
        for v in Instrument.objects.filter(id__in=ids).values_list(
            "id", "status", "enacted_on", "effective_on"
        )
    }
    events = legal_event_rows(instrument_ids=ids)
    out = []
    for row in rows:
        if row.instrument_id in instruments:
            status, enacted_on, effective_on = instruments[row.instrument_id]
            new, _event = provision_status(
                instrument_status=status,
                enacted_on=enacted_on,
                effective_on=effective_on,
                extent=row.extent,
                policy=row.policy,
                events=events.get(row.instrument_id, ()),
                on=on,
            )
        elif row.agency_name:
            new = agreement_status(
                status=row.status,
                started_on=row.signed_on or row.first_seen_on,
                ended_on=row.ended_on,
                on=on,
            )
        else:
            born = row.enacted_on or row.effective_on
            new = "" if born is not None and born > on else row.status
        if new:
            out.append(dataclasses.replace(row, status=new))
    return out


def _unit(values: Sequence[Any]) -> Unit:
    return Unit(*values)


def _chain_ids(unit: Unit) -> list[int]:
    if unit.kind == JurisdictionKind.STATE:
        return [unit.id]
    ids = [unit.state_id] if unit.state_id else []
    # A place inherits from its primary county only (see docs/scoring.md).
    if unit.kind == JurisdictionKind.PLACE and unit.county_id:
        ids.append(unit.county_id)
    ids.append(unit.id)
    return ids  # type: ignore[return-value]


def scorecards_compute(
    *,
    jurisdiction_ids: Iterable[int] | None = None,
    catalog: Catalog | None = None,
    on: date | None = None,
) -> dict[int, Scorecard]:
    """Score many jurisdictions at once (all of them when ``jurisdiction_ids`` is None).

    Four queries: the catalog, the jurisdictions (targets plus their county and
    state), the records and the research checks of every jurisdiction in those
    chains. ``on`` scores the evidence as it stood on that date (two more queries).
    """
    catalog = catalog or catalog_load()
    if jurisdiction_ids is None:
        units = {
            v[0]: _unit(v)
            for v in Jurisdiction.objects.values_list(*UNIT_FIELDS).iterator(chunk_size=5000)
        }
        targets = list(units.values())
        records = _records_by_jurisdiction(None, on=on)
        research = _research_by_jurisdiction(None)
    else:
        wanted = set(jurisdiction_ids)
        if not wanted:
            return {}
        targets_qs = Jurisdiction.objects.filter(id__in=wanted).values_list(*UNIT_FIELDS)
        targets = [_unit(v) for v in targets_qs.iterator(chunk_size=5000)]
        units = {u.id: u for u in targets}
        parents = {
            pid for u in targets for pid in (u.state_id, u.county_id) if pid and pid not in units
        }
        if parents:
            units.update(
                {
                    v[0]: _unit(v)
                    for v in Jurisdiction.objects.filter(id__in=parents).values_list(*UNIT_FIELDS)
                }
            )
        records = _records_by_jurisdiction(units.keys(), on=on)
        research = _research_by_jurisdiction(units.keys())

    shared: dict[tuple[Any, ...], Result] = {}
    out: dict[int, Scorecard] = {}
    for unit in targets:
        chain_ids = [i for i in _chain_ids(unit) if i in units]
        own = records.get(unit.id, ()) or research.get(unit.id, ())
        # A jurisdiction without records of its own scores like any other of its
        # kind whose parents hold the same records: compute that once. Parents
        # without records drop out of the key (every place of a county with no
        # records shares its state's result), which keeps a national run to a
        # few hundred distinct computations.
        memo_key = (
            (unit.kind, *(i for i in chain_ids[:-1] if i in records or i in research))
            if not own
            else None
        )
        result = shared.get(memo_key) if memo_key else None
        if result is None:
            chain = [(units[i], records.get(i, ())) for i in chain_ids]
            result = score_chain(kind=unit.kind, chain=chain, catalog=catalog, research=research)
            if memo_key:
                shared[memo_key] = result
        out[unit.id] = Scorecard(jurisdiction=unit, result=result)
    return out


def scorecard_for(*, jurisdiction: Jurisdiction, catalog: Catalog | None = None) -> Scorecard:
    """One jurisdiction's scorecard, computed fresh (two or three queries)."""
    return scorecards_compute(jurisdiction_ids=[jurisdiction.pk], catalog=catalog)[jurisdiction.pk]


# --- Stored summaries: one Scorecard row per jurisdiction ------------------------------

# How long the map stamp lives in the cache (the rendered map is keyed by it).
CACHE_TIMEOUT = 60 * 60 * 24 * 30
MAP_STAMP_KEY = f"scorecards:v{ALGORITHM_VERSION}:map-stamp"
# Rows per INSERT and ids per UPDATE: well under either engine's bound-parameter limit.
WRITE_BATCH = 2000
SUMMARY_FIELDS = ("score", "grade", "statuses", "core_researched", "core_total")


def _ticket_draw() -> int:
    """Draw the next recompute ticket. Call it before reading any evidence.

    Its own tiny transaction, so the counter row is locked for one statement
    and not for the compute.
    """
    with transaction.atomic():
        if not ScorecardTicket.objects.filter(pk=1).update(last=F("last") + 1):
            ScorecardTicket.objects.get_or_create(pk=1)
            ScorecardTicket.objects.filter(pk=1).update(last=F("last") + 1)
        return ScorecardTicket.objects.values_list("last", flat=True).get(pk=1)


def _summary_values(summary: Summary) -> dict[str, Any]:
    return {
        "score": summary.score,
        "grade": summary.grade,
        "statuses": dict(summary.statuses),
        "core_researched": summary.core_researched,
        "core_total": summary.core_total,
    }


def _store(cards: Mapping[int, Scorecard], *, ticket: int) -> None:
    """Write ``cards`` computed after drawing ``ticket``, in one short transaction.

    Missing rows are inserted (a row another recompute inserted meanwhile is
    left to the guarded update). Existing rows are updated only where the
    stored ticket is older, or the stored rules are, so of two overlapping
    recomputes the one that read the evidence later wins whichever finishes
    last. Places sharing a result share one UPDATE, so a state is a few
    statements and a national run a few thousand.
    """
    if not cards:
        return
    now = timezone.now()
    summaries = {jid: _summary_values(card.summary()) for jid, card in cards.items()}
    groups: dict[str, list[int]] = defaultdict(list)
    for jid, values in summaries.items():
        groups[json.dumps(values, sort_keys=True)].append(jid)
    stamp = {"algorithm_version": ALGORITHM_VERSION, "computed_from": ticket, "computed_at": now}
    existing = {
        jid
        for chunk in itertools.batched(summaries, WRITE_BATCH)
        for jid in ScorecardRow.objects.filter(jurisdiction_id__in=chunk).values_list(
            "jurisdiction_id", flat=True
        )
    }
    older = Q(computed_from__lt=ticket) | Q(algorithm_version__lt=ALGORITHM_VERSION)
    with transaction.atomic():
        ScorecardRow.objects.bulk_create(
            [
                ScorecardRow(jurisdiction_id=jid, **values, **stamp)
                for jid, values in summaries.items()
                if jid not in existing
            ],
            batch_size=WRITE_BATCH,
            ignore_conflicts=True,
        )
        for key, ids in groups.items():
            values = json.loads(key)
            for chunk in itertools.batched(ids, WRITE_BATCH):
                ScorecardRow.objects.filter(older, jurisdiction_id__in=chunk).update(
                    **values, **stamp
                )


def scorecard_summaries(*, jurisdictions: Iterable[Jurisdiction | Unit]) -> dict[int, Summary]:
    """Stored summaries (one query); missing rows and rows of other rules are computed and stored."""
    ids = {j.pk if isinstance(j, Jurisdiction) else j.id for j in jurisdictions}
    if not ids:
        return {}
    out = {
        values[0]: Summary(*values[1:])
        for values in ScorecardRow.objects.filter(
            jurisdiction_id__in=ids, algorithm_version=ALGORITHM_VERSION
        ).values_list("jurisdiction_id", *SUMMARY_FIELDS)
    }
    missing = ids - out.keys()
    if missing:
        ticket = _ticket_draw()
        cards = scorecards_compute(jurisdiction_ids=missing)
        _store(cards, ticket=ticket)
        out.update({jid: card.summary() for jid, card in cards.items()})
    return out


def scorecard_affected_ids(*, jurisdiction_ids: Iterable[int]) -> set[int]:
    """Whose scorecard a change to these jurisdictions' records can move.

    A state's records reach everything in it; a county's reach the places whose
    primary county it is; a place's reach only itself.
    """
    ids = set(jurisdiction_ids)
    rows = list(Jurisdiction.objects.filter(id__in=ids).values_list("id", "kind"))
    states = [i for i, kind in rows if kind == JurisdictionKind.STATE]
    counties = [i for i, kind in rows if kind == JurisdictionKind.COUNTY]
    affected = {i for i, _kind in rows}
    if states:
        affected.update(
            Jurisdiction.objects.filter(state_id__in=states).values_list("id", flat=True)
        )
    if counties:
        affected.update(
            Jurisdiction.objects.filter(
                county_id__in=counties, kind=JurisdictionKind.PLACE
            ).values_list("id", flat=True)
        )
    return affected


def map_stamp() -> str:
    """A token that changes whenever any county's score may have changed (keys the cached map)."""
    stamp = cache.get(MAP_STAMP_KEY)
    if stamp is None:
        stamp = map_invalidate()
    return str(stamp)


def map_invalidate() -> str:
    import time

    stamp = str(time.time_ns())
    cache.set(MAP_STAMP_KEY, stamp, CACHE_TIMEOUT)
    return stamp


def scorecards_recompute(*, jurisdiction_ids: Iterable[int]) -> set[int]:
    """Recompute and store exactly the jurisdictions a change to these ones affects; return them.

    The compute only reads, outside any transaction; the write is one short
    transaction (:func:`_store`) that never lets an older recompute's result
    replace a newer one.
    """
    ticket = _ticket_draw()
    affected = scorecard_affected_ids(jurisdiction_ids=jurisdiction_ids)
    cards = scorecards_compute(jurisdiction_ids=affected)
    _store(cards, ticket=ticket)
    if any(c.jurisdiction.kind != JurisdictionKind.PLACE for c in cards.values()):
        map_invalidate()
    scorecards_changed.send(sender=scorecards_changed, jurisdiction_ids=affected)
    return affected


def scorecards_recompute_all() -> int:
    """The national recompute: every state, county and place, one row each."""
    ticket = _ticket_draw()
    cards = scorecards_compute()
    _store(cards, ticket=ticket)
    map_invalidate()
    scorecards_changed.send(sender=scorecards_changed, jurisdiction_ids=None)
    return len(cards)


# --- Change hook: one recompute task per reported change, after commit ---------------


def scorecards_enqueue_recompute(*, jurisdiction_ids: Iterable[int]) -> None:
    """Enqueue a recompute of these jurisdictions once the current transaction commits.

    Call it from any code that writes records (services, importers, views). A
    rollback drops the task with the transaction. Each call enqueues its own
    task; duplicates are harmless, because a recompute reads the evidence as
    it is when it runs and its write never replaces a newer result.
    """
    ids = sorted({int(i) for i in jurisdiction_ids if i})
    if not ids:
        return

    def enqueue() -> None:
        from firstline.policies.tasks import scorecards_recompute_task

        scorecards_recompute_task.enqueue(jurisdiction_ids=ids)

    transaction.on_commit(enqueue)


def scorecard_jurisdictions_changed(jurisdiction_ids: Iterable[int]) -> None:
    """The hook ``firstline.policies.services`` calls after a commit that changed records."""
    scorecards_enqueue_recompute(jurisdiction_ids=jurisdiction_ids)
