"""``ask_classify`` on hand-built chains: no database, every case and the power filter."""

from __future__ import annotations

import datetime as dt

from firstline.delivery.asks import AskCase, Why, ask_classify
from firstline.officials.roles import role_info
from firstline.policies.scorecard import (
    Catalog,
    CatalogPolicy,
    RecordRow,
    Scorecard,
    Unit,
    score_chain,
)

P = CatalogPolicy
POLICIES = {
    p.slug: p
    for p in (
        P("no_287g", "protective", 3, frozenset({"state", "county", "city", "sheriff"})),
        P("decline_detainers", "protective", 3, frozenset({"state", "county", "city", "sheriff"})),
        P("trust_values_act", "protective", 3, frozenset({"state"})),
        P("municipal_id", "protective", 1, frozenset({"county", "city"})),
        P(
            "state_sanctuary_ban",
            "harmful",
            3,
            frozenset({"state"}),
            preempts=frozenset({"decline_detainers", "trust_values_act"}),
        ),
        P(
            "criminal_penalties_officials",
            "harmful",
            2,
            frozenset({"state"}),
            preempts=frozenset({"decline_detainers"}),
        ),
        P(
            "mandate_287g",
            "harmful",
            3,
            frozenset({"state"}),
            negates=frozenset({"no_287g"}),
            preempts=frozenset({"no_287g"}),
        ),
        P(
            "agreement_287g",
            "harmful",
            3,
            frozenset({"state", "county", "city", "sheriff"}),
            negates=frozenset({"no_287g"}),
        ),
    )
}
CATALOG = Catalog(policies=tuple(POLICIES.values()))
STATE = Unit(id=1, ocd_id="ocd-division/country:us/state:zz", kind="state", name="Zed")
COUNTY = Unit(id=2, ocd_id=f"{STATE.ocd_id}/county:a", kind="county", state_id=1, name="A County")
CITY = Unit(id=3, ocd_id=f"{STATE.ocd_id}/place:b", kind="place", state_id=1, county_id=2)
_ids = iter(range(1, 1000))


def row(policy: str, unit: Unit, **values: object) -> RecordRow:
    return RecordRow(
        id=next(_ids),
        policy=policy,
        jurisdiction_id=unit.id,
        status=str(values.pop("status", "in_force")),
        effective_on=dt.date(2020, 1, 1),
        **values,  # type: ignore[arg-type]
    )


def card(unit: Unit, chain: dict[int, list[RecordRow]]) -> Scorecard:
    units = [STATE, COUNTY, unit] if unit.kind == "place" else [STATE, unit]
    if unit.kind == "state":
        units = [STATE]
    links = [(u, chain.get(u.id, [])) for u in units]
    return Scorecard(
        jurisdiction=unit, result=score_chain(kind=unit.kind, chain=links, catalog=CATALOG)
    )


def classify(unit: Unit, chain: dict[int, list[RecordRow]], slug: str, role: str):
    return ask_classify(
        card=card(unit, chain), policy=POLICIES[slug], acts_on=role_info(role).acts_on
    )


def test_a_gap_within_the_office_power_is_asked():
    p = classify(COUNTY, {}, "decline_detainers", "sheriff")
    assert (p.case, p.why) == (AskCase.ACT, Why.GAP)


def test_never_asks_an_office_outside_its_power():
    # A sheriff does not pass state laws or county ordinances; a county board signs no state law.
    assert classify(COUNTY, {}, "trust_values_act", "sheriff").case is None
    assert classify(COUNTY, {}, "municipal_id", "sheriff").why == Why.OUTSIDE_POWER
    assert classify(COUNTY, {}, "trust_values_act", "county_board").case is None
    assert classify(STATE, {}, "trust_values_act", "governor").case == AskCase.ACT
    assert classify(COUNTY, {}, "municipal_id", "county_board").case == AskCase.ACT


def test_in_force_is_thanked_with_its_provision_own_or_from_above():
    law = row("decline_detainers", STATE, citation="SB 54 (2017)", section="§ 7284.6")
    p = classify(COUNTY, {STATE.id: [law]}, "decline_detainers", "sheriff")
    assert (p.case, p.why, p.record) == (AskCase.THANKS, Why.IN_FORCE_ABOVE, law)
    own = row("decline_detainers", COUNTY, citation="Ordinance 12")
    p = classify(COUNTY, {COUNTY.id: [own]}, "decline_detainers", "sheriff")
    assert (p.case, p.why) == (AskCase.THANKS, Why.IN_FORCE_OWN)


def test_state_preemption_blocks_with_statute_and_penalty():
    ban = row("state_sanctuary_ban", STATE, citation="SB 4 (2017)")
    penalty = row("criminal_penalties_officials", STATE, citation="SB 4 (2017)", section="§ 39.07")
    chain = {STATE.id: [ban, penalty]}
    p = classify(COUNTY, chain, "decline_detainers", "sheriff")
    assert (p.case, p.why) == (AskCase.BLOCKED, Why.PREEMPTED)
    assert p.blocker in (ban, penalty) and p.penalty == penalty
    # Even a local protection on the books is blocked, never thanked.
    local = row("decline_detainers", COUNTY, citation="Order 1")
    p = classify(COUNTY, {**chain, COUNTY.id: [local]}, "decline_detainers", "sheriff")
    assert p.case == AskCase.BLOCKED
    # The state itself is not "blocked" by its own law: it is a harm it can end.
    p = classify(STATE, chain, "decline_detainers", "governor")
    assert (p.case, p.harm_policy) == (AskCase.HARM, "state_sanctuary_ban")


def test_own_agreement_is_a_harm_to_end_and_a_mandate_is_named():
    agreement = row("agreement_287g", COUNTY, agency_name="A County Sheriff's Office")
    p = classify(COUNTY, {COUNTY.id: [agreement]}, "no_287g", "sheriff")
    assert (p.case, p.why, p.harm) == (AskCase.HARM, Why.OWN_HARM, agreement)
    assert p.blocker is None
    mandate = row("mandate_287g", STATE, citation="SB 8 (2025)")
    p = classify(COUNTY, {COUNTY.id: [agreement], STATE.id: [mandate]}, "no_287g", "sheriff")
    assert (p.case, p.why, p.harm, p.blocker) == (
        AskCase.HARM,
        Why.OWN_HARM_MANDATED,
        agreement,
        mandate,
    )


def test_another_levels_harm_is_not_this_office_to_end():
    # The county's agreement on a city's card: the mayor can still adopt no_287g.
    agreement = row("agreement_287g", COUNTY, agency_name="A County Sheriff's Office")
    p = classify(CITY, {COUNTY.id: [agreement]}, "no_287g", "mayor")
    assert p.case == AskCase.ACT and p.harm is None
