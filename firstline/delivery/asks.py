"""Where each ask lands in one office's letter: the four cases, decided from the scorecard.

``ask_classify`` is pure: it reads one effective :class:`Scorecard` (whose
``PolicyLine.reason``/``reason_level`` say why a line scored as it did:
preemption, negation, court status) and the office's powers from
``officials.roles.ROLES``. It touches no database, so every rule here is unit
tested on hand-built chains (``tests/test_asks.py``).

The cases, in the order a letter reads them:

- ``act``: a protection missing here that this office can adopt.
- ``harm``: this jurisdiction's own harmful policy (a sheriff's 287(g)
  agreement, a state's sanctuary ban for state officials) cancels the ask; the
  letter asks to end it, citing the agreement or law. If a state mandate
  requires the harm (Texas SB 8 requires 287(g) agreements), the mandate is
  named too and the letter asks only for what remains possible.
- ``blocked``: state law forbids this office the protection (preemption). The
  letter names the statute and penalty, asks what remains possible and asks
  for repeal; it never asks for the forbidden thing itself.
- ``thanks``: already in force here (own or from the state): thank, cite the
  provision, ask to keep and enforce it.

An ask outside the office's power (a sheriff and a state-only law) is left out,
with the reason kept for the staff preview.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from firstline.geo.models import JurisdictionKind
from firstline.policies.scorecard import (
    CatalogPolicy,
    EffectiveStatus,
    PolicyLine,
    RecordRow,
    Scorecard,
)

# Harmful catalog policies that attach penalties to officials who keep a banned
# protection; the letter names them beside the ban they enforce.
PENALTY_POLICIES = frozenset({"criminal_penalties_officials"})


class AskCase(StrEnum):
    ACT = "act"
    HARM = "harm"
    BLOCKED = "blocked"
    THANKS = "thanks"


class Why(StrEnum):
    """Why an ask landed where it did (shown to staff beside the copy)."""

    GAP = "gap"
    IN_FORCE_OWN = "in_force_own"
    IN_FORCE_ABOVE = "in_force_above"
    OWN_HARM = "own_harm"
    OWN_HARM_MANDATED = "own_harm_mandated"
    PREEMPTED = "preempted"
    OUTSIDE_POWER = "outside_power"


@dataclass(frozen=True, slots=True)
class Placement:
    slug: str
    case: AskCase | None  # None: not put to this office
    why: Why
    status: str  # the ask's effective status on the card
    # thanks: the provision in force; act: the ask's own (proposed, ended, enjoined) record, if any.
    record: RecordRow | None = None
    record_ocd_id: str = ""
    # harm: the office's own harmful record and its policy.
    harm: RecordRow | None = None
    harm_policy: str = ""
    # blocked, or a mandated harm: the state law in the way, and any penalty law.
    blocker: RecordRow | None = None
    blocker_ocd_id: str = ""
    blocker_policy: str = ""
    penalty: RecordRow | None = None


def _own_harm(
    *, card: Scorecard, slug: str, acts_on: frozenset[str], ocd_id: str
) -> PolicyLine | None:
    """A harmful policy in force held by this very jurisdiction that cancels ``slug``
    and that this office can act on. Another level's harm (the county's agreement
    on a city's card, a state agency's on a county's) is not this office's to end."""
    for other in card.lines:
        policy = other.policy
        if policy.protective or not other.in_force or other.record is None:
            continue
        if other.origin_ocd_id != ocd_id or not acts_on & policy.levels:
            continue
        if slug in policy.negates or slug in policy.preempts:
            return other
    return None


def _penalty(*, card: Scorecard, slug: str) -> RecordRow | None:
    for other in card.lines:
        if (
            other.policy.slug in PENALTY_POLICIES
            and other.in_force
            and slug in other.policy.preempts
            and other.origin_level == JurisdictionKind.STATE
        ):
            return other.record
    return None


def _state_block(line: PolicyLine | None, kind: str) -> bool:
    return (
        line is not None
        and kind != JurisdictionKind.STATE
        and line.effective_status == EffectiveStatus.PREEMPTED
        and line.reason is not None
        and line.reason_level == JurisdictionKind.STATE
    )


def ask_classify(*, card: Scorecard, policy: CatalogPolicy, acts_on: frozenset[str]) -> Placement:
    """Sort one ask for one office (``acts_on`` from its ``ROLES`` entry)."""
    unit = card.jurisdiction
    line = card.line(policy.slug)
    status = line.effective_status if line is not None else EffectiveStatus.NONE
    if not acts_on & policy.levels:
        return Placement(slug=policy.slug, case=None, why=Why.OUTSIDE_POWER, status=status)
    if line is not None and line.in_force and line.record is not None:
        own = line.origin_ocd_id == unit.ocd_id
        return Placement(
            slug=policy.slug,
            case=AskCase.THANKS,
            why=Why.IN_FORCE_OWN if own else Why.IN_FORCE_ABOVE,
            status=status,
            record=line.record,
            record_ocd_id=line.origin_ocd_id or "",
        )
    blocked = _state_block(line, unit.kind)
    blocker: dict[str, object] = {}
    if blocked and line is not None:
        blocker = {
            "blocker": line.reason,
            "blocker_ocd_id": line.reason_ocd_id,
            "blocker_policy": line.reason_policy,
            "penalty": _penalty(card=card, slug=policy.slug),
        }
    harm = _own_harm(card=card, slug=policy.slug, acts_on=acts_on, ocd_id=unit.ocd_id)
    if harm is not None:
        return Placement(
            slug=policy.slug,
            case=AskCase.HARM,
            why=Why.OWN_HARM_MANDATED if blocked else Why.OWN_HARM,
            status=status,
            harm=harm.record,
            harm_policy=harm.policy.slug,
            **blocker,  # type: ignore[arg-type]
        )
    if blocked:
        return Placement(
            slug=policy.slug,
            case=AskCase.BLOCKED,
            why=Why.PREEMPTED,
            status=status,
            **blocker,  # type: ignore[arg-type]
        )
    return Placement(
        slug=policy.slug,
        case=AskCase.ACT,
        why=Why.GAP,
        status=status,
        record=line.record if line is not None else None,
        record_ocd_id=(line.origin_ocd_id or "") if line is not None else "",
    )
