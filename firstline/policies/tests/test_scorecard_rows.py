"""Scorecard rows: stored on read, upserted by recomputes, and never overwritten by older results."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection, connections

from firstline import testing
from firstline.geo.models import Jurisdiction
from firstline.policies import scorecard
from firstline.policies.models import PolicyRecord, Scorecard

OCD = "ocd-division/country:us/state:"


@pytest.mark.django_db
def test_a_read_stores_missing_and_outdated_rows_and_then_reads_them() -> None:
    nassau = Jurisdiction.objects.get(ocd_id=OCD + "ny/county:nassau")
    ny = Jurisdiction.objects.get(ocd_id=OCD + "ny")
    Scorecard.objects.filter(jurisdiction__in=[nassau, ny]).delete()

    first = scorecard.scorecard_summaries(jurisdictions=[nassau, ny])
    fresh = scorecard.scorecard_for(jurisdiction=nassau).summary()
    assert first[nassau.pk] == fresh
    row = Scorecard.objects.get(jurisdiction=nassau)
    assert (row.score, row.grade, row.statuses) == (fresh.score, fresh.grade, fresh.statuses)
    assert row.algorithm_version == scorecard.ALGORITHM_VERSION
    assert Scorecard.objects.filter(jurisdiction=ny).exists()

    # A row of other rules is recomputed; a current row is read as stored.
    Scorecard.objects.filter(jurisdiction=nassau).update(algorithm_version=0, score=1, grade="F")
    Scorecard.objects.filter(jurisdiction=ny).update(score=99)
    second = scorecard.scorecard_summaries(jurisdictions=[nassau, ny])
    assert second[nassau.pk] == fresh
    assert second[ny.pk].score == 99
    assert Scorecard.objects.get(jurisdiction=nassau).algorithm_version > 0


@pytest.mark.django_db
def test_a_recompute_upserts_every_affected_row(django_assert_max_num_queries) -> None:
    nh = Jurisdiction.objects.get(ocd_id=OCD + "nh")
    Scorecard.objects.all().delete()
    Scorecard.objects.create(
        jurisdiction=nh, score=0, grade="F", algorithm_version=1, computed_at="2020-01-01T00:00Z"
    )
    with django_assert_max_num_queries(20):
        affected = scorecard.scorecards_recompute(jurisdiction_ids=[nh.pk])
    assert set(Scorecard.objects.values_list("jurisdiction_id", flat=True)) == affected
    row = Scorecard.objects.get(jurisdiction=nh)
    assert row.score == scorecard.scorecard_for(jurisdiction=nh).score
    assert row.algorithm_version == scorecard.ALGORITHM_VERSION
    assert row.computed_at.year > 2020


def test_overlapping_recomputes_of_one_state_never_leave_the_older_result(
    django_db_setup: Any, django_db_blocker: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two real recomputes of one state on their own connections to a committed copy.

    A reads the evidence and is held before it writes; meanwhile the evidence
    changes and B recomputes. Without the state lock B writes the new result
    and A then writes the old one on top. With it (PostgreSQL: the state row
    lock; SQLite: the IMMEDIATE writer lock, which also holds the evidence
    write back) B waits for A and writes last, from the new evidence.
    """
    compute = scorecard.scorecards_compute
    a_read, b_done = threading.Event(), threading.Event()
    finished: dict[str, float] = {}
    scores: dict[str, int] = {}
    errors: list[BaseException] = []

    def held_compute(**kwargs: Any) -> Any:
        cards = compute(**kwargs)
        if threading.current_thread().name == "A":
            a_read.set()
            b_done.wait(timeout=3)  # B finishes first only if nothing serializes them
        return cards

    monkeypatch.setattr(scorecard, "scorecards_compute", held_compute)

    with django_db_blocker.unblock():
        state = Jurisdiction.objects.get(ocd_id=OCD + "vt")
        db = testing.clone_test_database("scorerows")
        alias = "scorerows_clone"
        connections.databases[alias] = {**connection.settings_dict, "NAME": db["NAME"]}

        def on_clone(name: str, body: Any) -> threading.Thread:
            def run() -> None:
                # Everything in this thread (the ORM's default alias included) uses the copy.
                connections["default"] = connections.create_connection(alias)
                try:
                    body()
                    finished[name] = time.monotonic()
                except BaseException as exc:  # reported below
                    errors.append(exc)
                finally:
                    connections["default"].close()

            return threading.Thread(target=run, name=name)

        def change_then_recompute_b() -> None:
            assert a_read.wait(timeout=60)
            scores["old"] = compute(jurisdiction_ids=[state.pk])[state.pk].score
            changed = PolicyRecord.objects.filter(jurisdiction=state, status="in_force").update(
                status="rescinded"
            )
            assert changed
            scorecard.scorecards_recompute(jurisdiction_ids=[state.pk])
            b_done.set()
            scores["new"] = compute(jurisdiction_ids=[state.pk])[state.pk].score

        try:
            a = on_clone("A", lambda: scorecard.scorecards_recompute(jurisdiction_ids=[state.pk]))
            b = on_clone("B", change_then_recompute_b)
            a.start()
            b.start()
            a.join(timeout=120)
            b.join(timeout=120)
            assert not errors, errors
            assert scores["new"] != scores["old"], "the evidence change must move the score"
            stored = Scorecard.objects.using(alias).get(jurisdiction_id=state.pk)
            assert stored.score == scores["new"], "an older result was written on top"
            assert finished["B"] >= finished["A"], "B's recompute must wait for A's"
        finally:
            connections[alias].close()
            del connections.databases[alias]
            testing.drop_cloned_database(db)
