"""Regenerating the downloads after data changes, and a periodic safety net."""

from __future__ import annotations

from django.tasks import task

from firstline.opendata import services

# Batch work like scorecard recomputes: behind emails and deliveries on a shared worker.
BATCH_PRIORITY = -20
# The safety net regenerates what no signal covered (a lost task, a first start).
MAX_AGE_HOURS = 24


@task(queue_name="opendata", priority=BATCH_PRIORITY)
def downloads_generate_task(slugs: list[str]) -> dict[str, int]:
    """Idempotent: it writes the data as it is now, so a duplicate run writes the same files."""
    return {w.name: w.rows for w in services.downloads_generate(slugs=slugs)}


@task(queue_name="opendata", priority=BATCH_PRIORITY)
def downloads_refresh_task() -> dict[str, int]:
    stale = services.downloads_stale(max_age_hours=MAX_AGE_HOURS)
    return {w.name: w.rows for w in services.downloads_generate(slugs=stale)}
