"""Scorecard rows: stored on read, written by recomputes in a short transaction, and never
overwritten by an older recompute's result."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections

from firstline import testing
from firstline.geo.models import Jurisdiction
from firstline.policies import scorecard
from firstline.policies.models import PolicyRecord, Scorecard

OCD = "ocd-division/country:us/state:"


def _stored(jurisdiction: Jurisdiction, using: str = "default") -> tuple[int, str, dict[str, str]]:
    row = Scorecard.objects.using(using).get(jurisdiction_id=jurisdiction.pk)
    return row.score, row.grade, row.statuses


def _fresh(jurisdiction: Jurisdiction) -> tuple[int, str, dict[str, str]]:
    summary = scorecard.scorecard_for(jurisdiction=jurisdiction).summary()
    return summary.score, summary.grade, dict(summary.statuses)


@pytest.mark.django_db
def test_a_read_stores_missing_and_outdated_rows_and_then_reads_them() -> None:
    nassau = Jurisdiction.objects.get(ocd_id=OCD + "ny/county:nassau")
    ny = Jurisdiction.objects.get(ocd_id=OCD + "ny")
    Scorecard.objects.filter(jurisdiction__in=[nassau, ny]).delete()

    first = scorecard.scorecard_summaries(jurisdictions=[nassau, ny])
    assert first[nassau.pk] == scorecard.scorecard_for(jurisdiction=nassau).summary()
    assert _stored(nassau) == _fresh(nassau)
    assert Scorecard.objects.get(jurisdiction=ny).algorithm_version == scorecard.ALGORITHM_VERSION

    # A row of other rules is recomputed, whatever its ticket; a current row is read as stored.
    Scorecard.objects.filter(jurisdiction=nassau).update(
        algorithm_version=0, score=1, grade="F", computed_from=10**12
    )
    Scorecard.objects.filter(jurisdiction=ny).update(score=99)
    second = scorecard.scorecard_summaries(jurisdictions=[nassau, ny])
    assert second[nassau.pk] == first[nassau.pk]
    assert _stored(nassau) == _fresh(nassau)
    assert second[ny.pk].score == 99


@pytest.mark.django_db
def test_an_older_recompute_finishing_last_leaves_the_newer_result(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A reads the evidence, then B (a later ticket) sees a change and writes; A writes last."""
    vt = Jurisdiction.objects.get(ocd_id=OCD + "vt")
    place = Jurisdiction.objects.filter(state=vt, kind="place").first()
    assert place is not None
    compute = scorecard.scorecards_compute
    scorecard.scorecards_recompute(jurisdiction_ids=[vt.pk])
    before = _stored(vt)

    def older_compute(**kwargs: Any) -> Any:
        cards = compute(**kwargs)  # A has read the evidence as it was
        monkeypatch.setattr(scorecard, "scorecards_compute", compute)
        assert PolicyRecord.objects.filter(jurisdiction=vt, status="in_force").update(
            status="rescinded"
        )
        scorecard.scorecards_recompute(jurisdiction_ids=[vt.pk])  # B
        return cards

    monkeypatch.setattr(scorecard, "scorecards_compute", older_compute)
    scorecard.scorecards_recompute(jurisdiction_ids=[vt.pk])  # A, finishing last

    after = _fresh(vt)
    assert after != before, "the evidence change must move the state's scorecard"
    assert _stored(vt) == after, "the older recompute overwrote the newer result"
    assert _stored(place) == _fresh(place)


def _on_clone(alias: str, name: str, body: Any, errors: list[BaseException]) -> threading.Thread:
    def run() -> None:
        # Everything in this thread (the ORM's default alias included) uses the copy.
        connections["default"] = connections.create_connection(alias)
        try:
            body()
        except BaseException as exc:  # reported by the test
            errors.append(exc)
        finally:
            connections["default"].close()

    return threading.Thread(target=run, name=name)


def test_racing_recomputes_compute_outside_a_transaction_and_the_newer_result_wins(
    django_db_setup: Any, django_db_blocker: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two real recomputes of one state on their own connections to a committed copy.

    A reads the evidence and is held before it writes; meanwhile the evidence
    changes and B recomputes and writes. A then writes, last. Its compute must
    run with no transaction open, its write transaction must hold only the
    scorecard writes (no evidence read), and B's newer result must survive.
    """
    compute = scorecard.scorecards_compute
    a_computed, b_done = threading.Event(), threading.Event()
    in_atomic: dict[str, bool] = {}
    statements: list[tuple[bool, str]] = []
    scores: dict[str, tuple[int, str, dict[str, str]]] = {}
    errors: list[BaseException] = []

    def held_compute(**kwargs: Any) -> Any:
        name = threading.current_thread().name
        in_atomic[name] = connection.in_atomic_block
        cards = compute(**kwargs)
        if name == "A":
            a_computed.set()
            assert b_done.wait(timeout=120)
        return cards

    store = scorecard._store
    storing = threading.Event()

    def watched_store(*args: Any, **kwargs: Any) -> None:
        storing.set()
        try:
            store(*args, **kwargs)
        finally:
            storing.clear()

    def recompute_a() -> None:
        def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            if storing.is_set():
                statements.append((connection.in_atomic_block, sql))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            scorecard.scorecards_recompute(jurisdiction_ids=[state.pk])

    def change_then_recompute_b() -> None:
        assert a_computed.wait(timeout=120)
        scores["old"] = _fresh(state)
        assert PolicyRecord.objects.filter(jurisdiction=state, status="in_force").update(
            status="rescinded"
        )
        scorecard.scorecards_recompute(jurisdiction_ids=[state.pk])
        scores["new"] = _fresh(state)
        scores["b_stored"] = _stored(state)
        b_done.set()

    monkeypatch.setattr(scorecard, "scorecards_compute", held_compute)
    monkeypatch.setattr(scorecard, "_store", watched_store)
    with django_db_blocker.unblock():
        state = Jurisdiction.objects.get(ocd_id=OCD + "vt")
        db = testing.clone_test_database("scorerows")
        alias = "scorerows_clone"
        connections.databases[alias] = {**connection.settings_dict, "NAME": db["NAME"]}
        try:
            threads = [
                _on_clone(alias, "A", recompute_a, errors),
                _on_clone(alias, "B", change_then_recompute_b, errors),
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=300)
            assert not errors, errors
            assert in_atomic == {"A": False, "B": False}, "a compute ran inside a transaction"
            assert scores["new"] != scores["old"], "the evidence change must move the score"
            assert scores["b_stored"] == scores["new"]
            assert _stored(state, alias) == scores["new"], "an older result was written on top"
            # A's write transaction: the scorecard rows only, a handful of statements.
            inside = [sql for atomic, sql in statements if atomic]
            assert inside, "the write ran outside a transaction"
            assert all('"policies_scorecard"' in sql for sql in inside), inside
            assert not any(sql.lstrip().upper().startswith("SELECT") for sql in inside), inside
            assert len(inside) <= 40, len(inside)
        finally:
            connections[alias].close()
            del connections.databases[alias]
            testing.drop_cloned_database(db)
