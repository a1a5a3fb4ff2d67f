from __future__ import annotations

from django.conf import settings
from django.db import models

from firstline.core.roles import CAPABILITIES


class AuditEvent(models.Model):
    """One row for every staff action, import run and status change.

    ``subject`` is a stable textual reference ("policies.PolicyRecord:42",
    "import:ice287g") so events survive deletion of what they describe.
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(
        max_length=200, blank=True, help_text="Importer or system name when no user acted."
    )
    action = models.CharField(max_length=100)
    subject = models.CharField(max_length=200, db_index=True)
    message = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            # The history panel on a record page: events for one subject, newest first.
            models.Index(fields=["subject", "-at"], name="audit_subject_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.subject}"


class StaffCapability(models.Model):
    """Holds no rows: it exists so that every staff capability is a permission
    of the core app (``core.<codename>``), listed in one table,
    ``firstline.core.roles.CAPABILITIES``."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = list(CAPABILITIES.items())
        verbose_name = "staff capability"

    def __str__(self) -> str:
        return "staff capability"


class AbuseCounter(models.Model):
    """One rate-limit counter or one spent proof-of-work challenge, for every
    public form (``firstline.core.ratelimits``).

    Keys are HMACs (client addresses, emails) or challenge hashes, never the
    values themselves. A counter's window starts at its first hit and is not
    extended by later ones; a hit after ``expires`` starts a new window.
    All keys one submission touches are counted by one INSERT … ON CONFLICT
    statement (``ratelimits.counters_hit``), which is atomic per row on SQLite
    and PostgreSQL, so a burst cannot undercount.
    """

    key = models.CharField(max_length=100, primary_key=True)
    hits = models.PositiveIntegerField(default=1)
    expires = models.BigIntegerField(help_text="Unix time when this window ends.")

    class Meta:
        indexes = [
            # ratelimits.counters_purge: DELETE … WHERE expires < now.
            models.Index(fields=["expires"], name="core_counter_expires_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.hits}"


class WorkerHeartbeat(models.Model):
    """One row per running task worker (``db_worker``), touched every few
    seconds by the worker itself; ``/healthz`` reports the task tier down
    when no row is fresh. A worker that stops cleanly deletes its row."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    queues = models.CharField(max_length=200)
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.queues}) at {self.beat_at:%H:%M:%S}"
