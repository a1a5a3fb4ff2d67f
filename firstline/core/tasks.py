from __future__ import annotations

from django.core.management import call_command
from django.tasks import task

# Finished task results are only a debugging aid; periodic jobs add a few
# thousand a day. Failed ones are kept longer, for whoever investigates.
TASK_RESULTS_KEEP_DAYS = 7
FAILED_TASK_RESULTS_KEEP_DAYS = 30


@task(queue_name="default")
def prune_task_results() -> None:
    """Delete finished django-tasks-db results older than the days above."""
    call_command(
        "prune_db_task_results",
        "--queue-name",
        "*",
        "--min-age-days",
        str(TASK_RESULTS_KEEP_DAYS),
        "--failed-min-age-days",
        str(FAILED_TASK_RESULTS_KEEP_DAYS),
        verbosity=0,
    )


@task(queue_name="default")
def purge_abuse_counters() -> int:
    """Delete rate-limit counters and spent challenges whose window has ended."""
    from firstline.core.ratelimits import counters_purge

    return counters_purge()
