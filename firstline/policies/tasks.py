"""Background work for the tracker: scorecard recomputes after record changes."""

from __future__ import annotations

from django.tasks import task

from firstline.policies import scorecard

# Recomputes are batch work (a data load enqueues dozens); a person waiting for
# a confirmation email must not queue behind them, so they run after
# default-priority tasks on a shared worker.
BATCH_PRIORITY = -10


@task(queue_name="scores", priority=BATCH_PRIORITY)
def scorecards_recompute_task(jurisdiction_ids: list[int]) -> list[int]:
    """Recompute the scorecards a change to these jurisdictions' records affects.

    Idempotent: it reads the records as they are now, so a duplicate or late run
    writes the same result.
    """
    return sorted(scorecard.scorecards_recompute(jurisdiction_ids=jurisdiction_ids))


@task(queue_name="scores", priority=BATCH_PRIORITY)
def scorecards_recompute_all_task() -> int:
    return scorecard.scorecards_recompute_all()
