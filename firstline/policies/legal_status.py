"""The legal status of a provision on any date, derived from its instrument and events.

A pure function over plain values so the rules (docs/scoring.md, "Legal
events") are unit-tested without a database and the scorecard can answer
"status as of DATE" for any date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from firstline.policies.models import EventKind, Extent, InstrumentStatus, RecordStatus

# Events that put a provision back in force, end it, or block it.
_BACK_IN_FORCE = {EventKind.INJUNCTION_LIFTED, EventKind.UPHELD}
_ENDING = {EventKind.REPEALED, EventKind.EXPIRED, EventKind.SUPERSEDED}
_OUTCOME = {
    InstrumentStatus.PROPOSED: RecordStatus.PROPOSED,
    InstrumentStatus.FAILED: RecordStatus.FAILED,
    InstrumentStatus.VETOED: RecordStatus.VETOED,
}


@dataclass(frozen=True, slots=True)
class EventRow:
    kind: str
    date: dt.date
    policies: tuple[str, ...] = ()
    id: int = 0

    def affects(self, slug: str) -> bool:
        return not self.policies or slug in self.policies


def provision_status(
    *,
    instrument_status: str,
    enacted_on: dt.date | None,
    effective_on: dt.date | None,
    extent: str,
    policy: str,
    events: Iterable[EventRow],
    on: dt.date,
) -> tuple[str, EventRow | None]:
    """The provision's RecordStatus on ``on`` and the event that decided it (if any).

    Returns ``("", None)`` when the instrument did not exist yet on that date
    (enacted or proposed after it), so an "as of" page leaves it out.
    """
    born = enacted_on or effective_on
    if born is not None and born > on:
        return "", None
    if instrument_status != InstrumentStatus.ENACTED:
        return _OUTCOME.get(instrument_status, RecordStatus.PROPOSED), None  # type: ignore[call-overload]
    in_force = RecordStatus.PARTIAL if extent == Extent.PARTIAL else RecordStatus.IN_FORCE
    status: str = in_force
    if effective_on is not None and effective_on > on:
        status = RecordStatus.PENDING
    decided: EventRow | None = None
    for event in sorted(events, key=lambda e: (e.date, e.id)):
        if event.date > on or not event.affects(policy):
            continue
        if event.kind == EventKind.ENJOINED:
            status, decided = RecordStatus.ENJOINED, event
        elif event.kind in _BACK_IN_FORCE and status in (
            RecordStatus.ENJOINED,
            RecordStatus.STRUCK_DOWN,
        ):
            status, decided = in_force, event
        elif event.kind == EventKind.UPHELD:
            decided = event
        elif event.kind == EventKind.STRUCK_DOWN:
            status, decided = RecordStatus.STRUCK_DOWN, event
        elif event.kind in _ENDING:
            status, decided = RecordStatus.ENDED, event
    return status, decided


def agreement_status(
    *,
    status: str,
    started_on: dt.date | None,
    ended_on: dt.date | None,
    on: dt.date,
) -> str:
    """A 287(g) agreement (no Instrument row) on ``on``: in force between its start and end."""
    if started_on is not None and started_on > on:
        return ""
    if ended_on is not None and ended_on <= on:
        return RecordStatus.RESCINDED
    if status == RecordStatus.RESCINDED and ended_on is not None:
        return RecordStatus.IN_FORCE
    return status
