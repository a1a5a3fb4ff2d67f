"""The legal status of a provision over time, and coverage and harm attribution in the scorecard,
on hand-built rows (no database)."""

from __future__ import annotations

from datetime import date

from firstline.policies.legal_status import EventRow, agreement_status, provision_status
from firstline.policies.scorecard import (
    Catalog,
    CatalogPolicy,
    EffectiveStatus,
    RecordRow,
    Unit,
    score_chain,
)

D = date.fromisoformat


def status(events: list[EventRow], on: str, *, policy: str = "a", extent: str = "full",
           instrument_status: str = "enacted", effective_on: str | None = "2020-01-01") -> str:  # fmt: skip
    result, _event = provision_status(
        instrument_status=instrument_status,
        enacted_on=D("2019-06-01"),
        effective_on=D(effective_on) if effective_on else None,
        extent=extent,
        policy=policy,
        events=events,
        on=D(on),
    )
    return result


def test_enacted_provision_follows_its_dates_and_extent() -> None:
    assert status([], "2019-01-01") == ""  # did not exist yet
    assert status([], "2019-08-01") == "pending"  # signed, not yet effective
    assert status([], "2021-01-01") == "in_force"
    assert status([], "2021-01-01", extent="partial") == "partial"
    assert status([], "2021-01-01", instrument_status="vetoed") == "vetoed"
    assert status([], "2021-01-01", instrument_status="proposed") == "proposed"


def test_events_in_date_order_enjoin_restore_strike_and_end() -> None:
    events = [
        EventRow("struck_down", D("2023-03-01"), ("a",)),
        EventRow("enjoined", D("2021-02-01")),
        EventRow("injunction_lifted", D("2022-02-01")),
    ]
    assert status(events, "2021-01-31") == "in_force"
    assert status(events, "2021-02-01") == "enjoined"
    assert status(events, "2022-06-01") == "in_force"
    assert status(events, "2023-03-02") == "struck_down"
    # The ruling named only provision "a": "b" of the same law stays in force.
    assert status(events, "2023-03-02", policy="b") == "in_force"
    assert status([*events, EventRow("upheld", D("2024-01-01"))], "2024-06-01") == "in_force"
    assert status([EventRow("repealed", D("2025-01-01"))], "2025-01-01") == "ended"
    assert status([EventRow("amended", D("2025-01-01"))], "2025-06-01") == "in_force"
    _s, decided = provision_status(
        instrument_status="enacted",
        enacted_on=None,
        effective_on=None,
        extent="full",
        policy="a",
        events=events,
        on=D("2021-03-01"),
    )
    assert decided is events[1]


def test_agreement_status_between_start_and_end() -> None:
    start, end = D("2020-01-01"), D("2025-01-01")
    assert (
        agreement_status(status="rescinded", started_on=start, ended_on=end, on=D("2019-01-01"))
        == ""
    )
    assert (
        agreement_status(status="rescinded", started_on=start, ended_on=end, on=D("2021-01-01"))
        == "in_force"
    )
    assert (
        agreement_status(status="in_force", started_on=start, ended_on=None, on=D("2026-01-01"))
        == "in_force"
    )
    assert agreement_status(status="in_force", started_on=start, ended_on=end, on=end) == "rescinded"  # fmt: skip


ALL = frozenset({"state", "county", "city", "sheriff"})
CATALOG = Catalog(
    policies=(
        CatalogPolicy("no_287g", "protective", 3, ALL, core=True, sort_order=1),
        CatalogPolicy("decline_detainers", "protective", 3, ALL, core=True, sort_order=2),
        CatalogPolicy("municipal_id", "protective", 1, frozenset({"city"}), sort_order=3),
        CatalogPolicy("agreement_287g", "harmful", 3, ALL, negates=frozenset({"no_287g"}), sort_order=4),
    )
)  # fmt: skip
STATE = Unit(1, "ocd-division/country:us/state:zz", "state")
COUNTY = Unit(2, "ocd-division/country:us/state:zz/county:a", "county", state_id=1)


def row(policy: str, unit: Unit, **kw: object) -> RecordRow:
    return RecordRow(id=hash((policy, unit.id)) % 10_000, policy=policy, jurisdiction_id=unit.id,
                     status="in_force", **kw)  # type: ignore[arg-type]  # fmt: skip


def test_coverage_counts_the_chain_and_tells_absent_from_not_researched() -> None:
    chain = [(STATE, [row("decline_detainers", STATE)]), (COUNTY, [])]
    bare = score_chain(kind="county", chain=chain, catalog=CATALOG)
    assert bare.incomplete and bare.core_missing == ("no_287g",) and bare.core_researched == 1
    no287 = next(ln for ln in bare.lines if ln.policy.slug == "no_287g")
    assert no287.effective_status == EffectiveStatus.NONE
    # State research ("not in force") completes the county's coverage too.
    researched = score_chain(
        kind="county", chain=chain, catalog=CATALOG, research={STATE.id: frozenset({"no_287g"})}
    )
    assert not researched.incomplete and researched.core_researched == 2
    no287 = next(ln for ln in researched.lines if ln.policy.slug == "no_287g")
    assert no287.effective_status == EffectiveStatus.ABSENT and no287.credit == 0
    assert researched.score == bare.score  # coverage marks the grade; it does not move it


def test_state_agency_agreement_is_held_at_state_level_not_the_countys() -> None:
    dps = row("agreement_287g", STATE, agency_name="State Department of Public Safety")
    county = score_chain(
        kind="county",
        chain=[(STATE, [dps]), (COUNTY, [row("no_287g", COUNTY)])],
        catalog=CATALOG,
    )
    harm = next(ln for ln in county.lines if ln.policy.slug == "agreement_287g")
    assert harm.effective_status == EffectiveStatus.HELD_ABOVE and harm.origin_level == "state"
    assert harm.record == dps and harm.credit == -3
    # ... and it does not cancel the county's own no-287(g) policy.
    assert next(ln for ln in county.lines if ln.policy.slug == "no_287g").credit == 3
    state = score_chain(kind="state", chain=[(STATE, [dps])], catalog=CATALOG)
    harm = next(ln for ln in state.lines if ln.policy.slug == "agreement_287g")
    assert harm.effective_status == EffectiveStatus.IN_FORCE
    # A county's own agreement is its own.
    own = score_chain(
        kind="county",
        chain=[(STATE, [dps]), (COUNTY, [row("agreement_287g", COUNTY, agency_name="Sheriff")])],
        catalog=CATALOG,
    )
    harm = next(ln for ln in own.lines if ln.policy.slug == "agreement_287g")
    assert harm.effective_status == EffectiveStatus.IN_FORCE and harm.origin_level == "county"


def test_reason_carries_the_level_of_the_cancelling_record() -> None:
    agreement = row("agreement_287g", COUNTY, agency_name="Sheriff")
    county = score_chain(
        kind="county", chain=[(STATE, []), (COUNTY, [agreement, row("no_287g", COUNTY)])],
        catalog=CATALOG,
    )  # fmt: skip
    line = next(ln for ln in county.lines if ln.policy.slug == "no_287g")
    assert line.effective_status == EffectiveStatus.NEGATED
    assert (line.reason, line.reason_level, line.reason_ocd_id) == (
        agreement,
        "county",
        COUNTY.ocd_id,
    )
