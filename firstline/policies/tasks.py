"""Background work for the tracker: scorecard recomputes after record changes."""

from __future__ import annotations

from django.tasks import task

from firstline.policies import scorecard


@task(queue_name="scores")
def scorecards_recompute_task(jurisdiction_ids: list[int]) -> list[int]:
    """Recompute the scorecards a change to these jurisdictions' records affects.

    Idempotent: it reads the records as they are now, so a duplicate or late run
    writes the same result.
    """
    return sorted(scorecard.scorecards_recompute(jurisdiction_ids=jurisdiction_ids))


@task(queue_name="scores")
def scorecards_recompute_all_task() -> int:
    return scorecard.scorecards_recompute_all()
