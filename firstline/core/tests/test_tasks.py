from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from firstline.core import tasks
from firstline.core.management.commands.run_periodic import periodic_jobs

pytestmark = pytest.mark.django_db


def test_old_finished_task_results_are_pruned_recent_and_failed_kept():
    from firstline.core.tasks import purge_abuse_counters

    now = timezone.now()
    ages = {"old_ok": (10, "SUCCESSFUL"), "new_ok": (1, "SUCCESSFUL"), "old_failed": (10, "FAILED")}
    ids = {}
    for name, (days, status) in ages.items():
        result = purge_abuse_counters.enqueue()
        DBTaskResult.objects.filter(pk=result.id).update(
            status=status, finished_at=now - timedelta(days=days)
        )
        ids[name] = result.id
    waiting = purge_abuse_counters.enqueue().id  # not finished: never pruned
    tasks.prune_task_results.func()
    left = {str(pk) for pk in DBTaskResult.objects.values_list("pk", flat=True)}
    assert left >= {ids["new_ok"], ids["old_failed"], waiting}
    assert ids["old_ok"] not in left
    assert (86400, "firstline.core.tasks.prune_task_results") in periodic_jobs()
