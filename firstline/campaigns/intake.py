"""Sign-on intake: the public form's fast path, and the worker that applies it.

The form's POST does the checks a person must see answered at once
(validation, fill time, proof of work, rate limits), then stores the sign-on
as ONE encrypted ``SignOnIntake`` row and answers "check your email". Every
write that can wait, the organization and signature upserts, the
verification email and its send task, is done by ``intake_process`` on the
db_worker, in batches, in the same transaction that deletes the rows:

- nothing is lost: the browser's answer comes after the row is committed,
  and a worker killed mid-batch rolls the whole batch back, rows included;
- nothing is applied twice: a row is applied and deleted in one transaction,
  and only one worker applies rows at a time (SQLite: one writer; PostgreSQL:
  an advisory lock, because two workers applying a re-submission and its
  original in opposite orders could deadlock on the signature rows);
- duplicates still meet the same unique constraints as before
  (``signature_apply``), so re-submissions update, never add.

How a worker hears about new rows: each web process enqueues at most one
``process_signon_intake`` task per ``KICK_SECONDS``, due at the end of that
window (``intake_kick``). A row committed inside the window is older than the
task's due time, so the task sees it; the first row after the window starts a
new one. Email goes out about a second after signing. ``run_periodic`` also
enqueues the task every minute, for a web process that died between its
commit and its kick, or clocks that disagree between machines.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from firstline.campaigns import abuse
from firstline.campaigns.models import Campaign, CampaignStatus, SignOnIntake
from firstline.lib import crypto
from firstline.lib.db import prepared_cursor

KICK_SECONDS = 1.0
BATCH_SIZE = 100
# Any constant works; it only has to be the same in every worker.
_ADVISORY_LOCK_KEY = 0x5167_0017

FIELDS = (
    "org_name",
    "org_website",
    "org_type",
    "home_jurisdiction_id",
    "contact_name",
    "contact_email",
    "contact_role",
    "language",
)


def intake_submit(
    *,
    campaign: Campaign,
    fields: dict[str, Any],
    screen: abuse.Screen,
    received_at: datetime | None = None,
) -> tuple[abuse.Verdict, bool]:
    """Count the sign-on against its rate limits and store it if it passes.

    Returns (verdict, stored). ``stored`` is False with ``Verdict.OK`` when
    the campaign is not collecting: the insert re-checks its status and window
    in the database, since the view's campaign is a short memo.

    With a valid proof of work on PostgreSQL, this is ONE statement: the
    counter upsert and the insert in a data-modifying CTE, the insert guarded
    by the same limits the verdict applies, so a sign-on costs one round trip
    and one commit. Otherwise (SQLite; no proof of work, whose site-wide
    budget is counted only after the client's own) the counters come first,
    then the insert.
    """
    payload = _payload(fields)
    when = _db_datetime(received_at or timezone.now())
    if screen.spent and connection.vendor == "postgresql":
        counters, counter_params = abuse.counters_sql(
            windows=screen.windows, now=None, connection=connection
        )
        insert, insert_params = _insert_sql(campaign=campaign, payload=payload, when=when)
        limits = ", ".join(["(%s, %s)"] * len(screen.limits))
        sql = (
            f"WITH hits (k, n) AS ({counters}), stored AS ({insert} "  # noqa: S608 (ours)
            f"AND NOT EXISTS (SELECT 1 FROM hits JOIN (VALUES {limits}) AS lim (k, m) "
            "ON hits.k = lim.k WHERE hits.n > lim.m) RETURNING 1) "
            "SELECT k, n, (SELECT count(*) FROM stored) FROM hits"
        )
        params = [*counter_params, *insert_params]
        for key, limit in screen.limits.items():
            params += [key, limit]
        with prepared_cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        hits = {key: n for key, n, _stored in rows}
        stored = rows[0][2] == 1
        verdict = abuse.signon_screen_verdict(screen, hits)
        if stored and verdict != abuse.Verdict.OK:
            raise RuntimeError(f"sign-on stored despite {verdict}: limits and verdict disagree")
    else:
        verdict = abuse.signon_screen_count(screen)
        stored = False
        if verdict == abuse.Verdict.OK:
            insert, insert_params = _insert_sql(campaign=campaign, payload=payload, when=when)
            with connection.cursor() as cursor:
                cursor.execute(insert, insert_params)
                stored = cursor.rowcount == 1
    if stored:
        intake_kick()
    return verdict, stored


def intake_add(
    *, campaign: Campaign, fields: dict[str, Any], received_at: datetime | None = None
) -> bool:
    """Store one sign-on without counting it (tests, imports of queued forms).
    False when the campaign is not collecting."""
    insert, params = _insert_sql(
        campaign=campaign,
        payload=_payload(fields),
        when=_db_datetime(received_at or timezone.now()),
    )
    with connection.cursor() as cursor:
        cursor.execute(insert, params)
        return cursor.rowcount == 1


def _payload(fields: dict[str, Any]) -> str:
    return crypto.encrypt(json.dumps({k: fields[k] for k in FIELDS}, separators=(",", ":")))


def _insert_sql(*, campaign: Campaign, payload: str, when: Any) -> tuple[str, list[Any]]:
    """INSERT … SELECT … WHERE the campaign is collecting at ``when`` (no RETURNING)."""
    q = connection.ops.quote_name
    sql = (
        f"INSERT INTO {q(SignOnIntake._meta.db_table)} "  # noqa: S608 (our table names)
        "(campaign_id, received_at, payload, attempts, last_error) "
        f"SELECT %s, %s, %s, 0, '' WHERE EXISTS (SELECT 1 FROM {q(Campaign._meta.db_table)} c "
        "WHERE c.id = %s AND c.status = %s AND (c.opens_at IS NULL OR c.opens_at <= %s) "
        "AND (c.closes_at IS NULL OR c.closes_at > %s))"
    )
    status = CampaignStatus.COLLECTING.value
    return sql, [campaign.pk, when, payload, campaign.pk, status, when, when]


def _db_datetime(value: datetime) -> Any:
    field = SignOnIntake._meta.get_field("received_at")
    return field.get_db_prep_save(value, connection)  # type: ignore[union-attr]


# --- Waking a worker -------------------------------------------------------------

_kicked_until = 0.0
_kick_lock = threading.Lock()


def intake_kick(*, now: float | None = None) -> bool:
    """Make sure a ``process_signon_intake`` task will run after this moment.

    Call once a sign-on is committed. Returns True when this call enqueued
    one (at most once per KICK_SECONDS per process).
    """
    global _kicked_until
    now = time.time() if now is None else now
    with _kick_lock:
        if now < _kicked_until:
            return False
        due = now + KICK_SECONDS
        _kicked_until = due
    from firstline.campaigns.tasks import process_signon_intake

    try:
        process_signon_intake.using(run_after=datetime.fromtimestamp(due, UTC)).enqueue()
    except Exception:
        with _kick_lock:
            _kicked_until = 0.0  # the next sign-on tries again
        raise
    return True


def intake_kick_reset() -> None:
    """Forget this process's last kick (tests)."""
    global _kicked_until
    with _kick_lock:
        _kicked_until = 0.0


# --- Applying --------------------------------------------------------------------


@dataclass
class IntakeResult:
    applied: int = 0
    failed: int = 0
    batches: int = 0


def _one_writer() -> None:
    """Inside the batch transaction: wait until no other worker is applying.

    SQLite's IMMEDIATE transactions (settings) already admit one writer.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])


def intake_process(*, batch_size: int = BATCH_SIZE, max_batches: int | None = None) -> IntakeResult:
    """Apply waiting sign-ons, oldest first, one transaction per batch, until none is left.

    A row that cannot be applied (its campaign stopped collecting, its payload
    no longer decrypts, its jurisdiction is gone) is kept with ``failed_at``
    and the reason, for staff; the rest of the batch goes on. A database
    error (lost connection, lock timeout) aborts the batch: nothing of it is
    applied and its rows wait for the next run.
    """
    from firstline.campaigns.services import CampaignNotCollecting, signature_apply

    result = IntakeResult()
    campaigns: dict[int, Campaign] = {}
    while max_batches is None or result.batches < max_batches:
        with transaction.atomic():
            _one_writer()
            rows = list(
                SignOnIntake.objects.filter(failed_at__isnull=True)
                .order_by("id")
                .only("id", "campaign_id", "received_at", "payload")[:batch_size]
            )
            if not rows:
                break
            result.batches += 1
            missing = {row.campaign_id for row in rows} - campaigns.keys()
            campaigns.update(Campaign.objects.in_bulk(missing))
            applied: list[int] = []
            failures: dict[str, list[int]] = {}
            for row in rows:
                try:
                    fields = json.loads(crypto.decrypt(row.payload))
                    signature_apply(
                        campaign=campaigns[row.campaign_id],
                        **{k: fields[k] for k in FIELDS},
                        received_at=row.received_at,
                    )
                except CampaignNotCollecting:
                    failures.setdefault("the campaign stopped collecting", []).append(row.pk)
                except (ValueError, KeyError, TypeError, IntegrityError) as exc:
                    reason = f"{type(exc).__name__}: {exc}"[:500]
                    failures.setdefault(reason, []).append(row.pk)
                else:
                    applied.append(row.pk)
            SignOnIntake.objects.filter(pk__in=applied).delete()
            now = timezone.now()
            for reason, pks in failures.items():
                SignOnIntake.objects.filter(pk__in=pks).update(
                    failed_at=now, last_error=reason, attempts=F("attempts") + 1
                )
            result.applied += len(applied)
            result.failed += sum(len(pks) for pks in failures.values())
    return result


def intake_retry(*, pks: list[int]) -> int:
    """Staff: put failed rows back in line (after fixing the cause)."""
    changed = SignOnIntake.objects.filter(pk__in=pks, failed_at__isnull=False).update(
        failed_at=None, last_error=""
    )
    if changed:
        transaction.on_commit(intake_kick)
    return changed


def intake_purge_failed(*, before: datetime) -> int:
    deleted, _ = SignOnIntake.objects.filter(
        failed_at__isnull=False, received_at__lt=before
    ).delete()
    return deleted


def intake_rotate_keys(*, batch_size: int = 500) -> dict[str, int]:
    """Re-encrypt waiting payloads under the newest key (``rotate_field_keys``)."""
    result = {"total": 0, "reencrypted": 0}
    last_pk = 0
    while True:
        with transaction.atomic():
            rows = list(
                SignOnIntake.objects.filter(pk__gt=last_pk)
                .order_by("pk")
                .values_list("pk", "payload")[:batch_size]
            )
            if not rows:
                return result
            for pk, payload in rows:
                last_pk = pk
                result["total"] += 1
                if not crypto.is_current_key(payload):
                    SignOnIntake.objects.filter(pk=pk).update(payload=crypto.reencrypt(payload))
                    result["reencrypted"] += 1
