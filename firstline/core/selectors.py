"""Reads of the core app: the deployment's health (``/healthz``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import DatabaseError
from django.utils import timezone

from firstline.core.models import WorkerHeartbeat

# A worker beats every HEARTBEAT_SECONDS (core db_worker); three missed beats
# and then some mean no worker is taking tasks.
HEARTBEAT_SECONDS = 10
HEARTBEAT_STALE_SECONDS = 45


@dataclass(frozen=True)
class Health:
    """``failing`` names the parts that are down: "database", "worker"."""

    workers: int = 0
    last_beat: dt.datetime | None = None
    failing: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failing


def health_report(*, now: dt.datetime | None = None) -> Health:
    """The database answers, and at least one task worker beat recently."""
    now = now or timezone.now()
    try:
        fresh = WorkerHeartbeat.objects.filter(
            beat_at__gte=now - dt.timedelta(seconds=HEARTBEAT_STALE_SECONDS)
        )
        beats = list(fresh.values_list("beat_at", flat=True))
    except DatabaseError:
        # Without the database nothing can be said about the workers either.
        return Health(failing=["database", "worker"])
    if not beats:
        return Health(failing=["worker"])
    return Health(workers=len(beats), last_beat=max(beats))
