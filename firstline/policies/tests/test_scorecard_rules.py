"""The scoring rules on hand-built rows: inheritance, preemption, negation, credit, gaps."""

from __future__ import annotations

from datetime import date

import pytest

from firstline.policies.scorecard import (
    Catalog,
    CatalogPolicy,
    EffectiveStatus,
    RecordRow,
    Unit,
    grade_for,
    normalize,
    score_chain,
)

ALL_LOCAL = frozenset({"state", "county", "city", "sheriff"})
CATALOG = Catalog(
    policies=(
        CatalogPolicy("no_287g", "protective", 3, ALL_LOCAL, sort_order=1),
        CatalogPolicy("decline_detainers", "protective", 3, ALL_LOCAL, sort_order=2),
        CatalogPolicy("trust_values_act", "protective", 3, frozenset({"state"}), sort_order=3),
        CatalogPolicy("municipal_id", "protective", 1, frozenset({"county", "city"}), sort_order=4),
        CatalogPolicy(
            "state_sanctuary_ban",
            "harmful",
            3,
            frozenset({"state"}),
            preempts=frozenset({"decline_detainers"}),
            sort_order=5,
        ),
        CatalogPolicy(
            "agreement_287g", "harmful", 3, ALL_LOCAL, negates=frozenset({"no_287g"}), sort_order=6
        ),
    )
)
STATE = Unit(1, "ocd-division/country:us/state:zz", "state")
COUNTY = Unit(2, "ocd-division/country:us/state:zz/county:a", "county", state_id=1)
PLACE = Unit(3, "ocd-division/country:us/state:zz/place:b", "place", state_id=1, county_id=2)

_ids = iter(range(100, 10_000))


def rec(policy: str, unit: Unit, status: str = "in_force", **kw: object) -> RecordRow:
    return RecordRow(
        id=next(_ids),
        policy=policy,
        jurisdiction_id=unit.id,
        status=status,
        citation=f"{policy} cite",
        **kw,
    )  # type: ignore[arg-type]


def place_card(
    state: tuple[RecordRow, ...] | list[RecordRow] = (),
    county: tuple[RecordRow, ...] | list[RecordRow] = (),
    own: tuple[RecordRow, ...] | list[RecordRow] = (),
):
    return score_chain(
        kind="place", chain=[(STATE, state), (COUNTY, county), (PLACE, own)], catalog=CATALOG
    )


def line(result, slug):
    return next(ln for ln in result.lines if ln.policy.slug == slug)


def test_place_inherits_state_and_county_records_with_their_origin() -> None:
    result = place_card(state=[rec("trust_values_act", STATE)], county=[rec("no_287g", COUNTY)])
    trust, no287 = line(result, "trust_values_act"), line(result, "no_287g")
    assert (trust.effective_status, trust.origin_level, trust.origin_ocd_id) == (
        "in_force",
        "state",
        STATE.ocd_id,
    )
    assert (no287.effective_status, no287.origin_level, no287.origin_ocd_id) == (
        "in_force",
        "county",
        COUNTY.ocd_id,
    )
    assert result.credit == 6
    assert line(result, "municipal_id").effective_status == EffectiveStatus.NONE


def test_state_ban_preempts_local_protection_and_says_why() -> None:
    ban = rec("state_sanctuary_ban", STATE)
    local = rec("decline_detainers", PLACE)
    result = place_card(state=[ban], own=[local])
    dd = line(result, "decline_detainers")
    assert dd.effective_status == EffectiveStatus.PREEMPTED
    assert dd.credit == 0
    assert dd.record == local and dd.origin_level == "place"
    assert (
        dd.reason == ban
        and dd.reason_policy == "state_sanctuary_ban"
        and dd.reason_ocd_id == STATE.ocd_id
    )
    assert line(result, "state_sanctuary_ban").credit == -3
    # The city cannot adopt what the state forbids, so it is not listed as a gap.
    assert "decline_detainers" not in result.gaps
    assert "no_287g" in result.gaps

    # With no local record at all, the line still says the state forbids it.
    bare = line(place_card(state=[ban]), "decline_detainers")
    assert (bare.effective_status, bare.record, bare.reason) == (
        EffectiveStatus.PREEMPTED,
        None,
        ban,
    )
    assert (
        line(
            score_chain(kind="state", chain=[(STATE, [ban])], catalog=CATALOG), "decline_detainers"
        ).effective_status
        == "none"
    )


def test_preemption_does_not_touch_the_states_own_protection_or_need_a_ban_in_force() -> None:
    enjoined_ban = rec("state_sanctuary_ban", STATE, status="enjoined")
    result = place_card(state=[enjoined_ban], own=[rec("decline_detainers", PLACE)])
    assert line(result, "decline_detainers").effective_status == "in_force"
    assert line(result, "state_sanctuary_ban").credit == 0
    state_result = score_chain(
        kind="state",
        chain=[(STATE, [rec("state_sanctuary_ban", STATE), rec("decline_detainers", STATE)])],
        catalog=CATALOG,
    )
    assert line(state_result, "decline_detainers").effective_status == "in_force"


def test_county_287g_negates_no_287g_in_the_county_and_its_places_but_not_upwards() -> None:
    agreement = rec("agreement_287g", COUNTY, agency_name="Sheriff's Office")
    result = place_card(county=[agreement, rec("no_287g", COUNTY)], own=[rec("no_287g", PLACE)])
    no287 = line(result, "no_287g")
    assert no287.effective_status == EffectiveStatus.NEGATED and no287.credit == 0
    assert no287.reason == agreement
    harm = line(result, "agreement_287g")
    assert (harm.effective_status, harm.origin_level, harm.credit) == ("in_force", "county", -3)
    assert (
        "no_287g" in result.gaps
    )  # the county can end its agreement; the city can still adopt the rule

    # A city police 287(g) agreement does not cancel the county's own no_287g policy.
    county_result = score_chain(
        kind="county", chain=[(STATE, []), (COUNTY, [rec("no_287g", COUNTY)])], catalog=CATALOG
    )
    assert line(county_result, "no_287g").effective_status == "in_force"


def test_credit_partial_half_proposed_zero_with_momentum() -> None:
    result = place_card(
        state=[rec("trust_values_act", STATE, status="partial")],
        own=[rec("no_287g", PLACE, status="proposed")],
    )
    assert line(result, "trust_values_act").credit == 1.5
    proposed = line(result, "no_287g")
    assert proposed.effective_status == "proposed" and proposed.credit == 0 and proposed.momentum
    assert result.credit == 1.5


def test_best_record_represents_a_jurisdiction_with_several() -> None:
    old = rec("no_287g", STATE, status="vetoed", enacted_on=date(2020, 1, 1))
    new = rec("no_287g", STATE, status="in_force", enacted_on=date(2019, 1, 1))
    result = score_chain(kind="state", chain=[(STATE, [old, new])], catalog=CATALOG)
    assert line(result, "no_287g").record == new
    assert line(result, "no_287g").records == (new, old)


def test_most_local_record_is_shown_when_levels_tie_and_more_credit_wins() -> None:
    result = place_card(state=[rec("no_287g", STATE)], own=[rec("no_287g", PLACE)])
    assert line(result, "no_287g").origin_level == "place"
    result = place_card(
        state=[rec("no_287g", STATE)], own=[rec("no_287g", PLACE, status="partial")]
    )
    assert line(result, "no_287g").origin_level == "state"


def test_normalization_and_grades() -> None:
    # P = 3+3+3+1 = 10, H = 6: nothing on record is 100 * 6 / 16.
    assert normalize(net=0, catalog=CATALOG) == 38
    assert normalize(net=10, catalog=CATALOG) == 100
    assert normalize(net=-6, catalog=CATALOG) == 0
    assert place_card().score == 38
    assert [grade_for(s) for s in (100, 70, 69, 55, 42, 41, 30, 29, 0)] == [
        "A",
        "A",
        "B",
        "B",
        "C",
        "D",
        "D",
        "F",
        "F",
    ]


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("state", {"no_287g", "decline_detainers", "trust_values_act"}),
        ("county", {"no_287g", "decline_detainers", "municipal_id"}),
        ("place", {"no_287g", "decline_detainers", "municipal_id"}),
    ],
)
def test_gaps_are_what_this_level_can_adopt(kind: str, expected: set[str]) -> None:
    unit = {"state": STATE, "county": COUNTY, "place": PLACE}[kind]
    chain = [(STATE, [])] if kind == "state" else [(STATE, []), (unit, [])]
    result = score_chain(kind=kind, chain=chain, catalog=CATALOG)
    assert set(result.gaps) == expected
    result = score_chain(
        kind=kind, chain=[*chain[:-1], (unit, [rec("no_287g", unit)])], catalog=CATALOG
    )
    assert "no_287g" not in result.gaps
