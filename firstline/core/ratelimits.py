"""Rate limits and spent proofs of work for every public form.

The sign-on form (campaigns), residents' messages (residents) and the roster
drive's forms (officials) count their submissions here, so there is one
counting path for the site. Counters are rows of ``core.AbuseCounter``,
keyed on daily-salted hashes of the visitor's network
(``lib.clients.client_fingerprint``), never on a stored address.

``limits_screen`` is the common screen: a proof of work solved in the
browser (``lib.pow``), spent once; without one (no JavaScript) a much smaller
budget; and the caller's own limits, all counted in one statement.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from django.db import DEFAULT_DB_ALIAS, connections

from firstline.core.models import AbuseCounter
from firstline.lib.pow import pow_check


@dataclass(frozen=True)
class Limit:
    name: str
    max_hits: int
    window_seconds: int


class Refusal(StrEnum):
    """Why a public form's submission was refused (templates compare the values)."""

    NONE = ""
    POW_FAILED = "pow_failed"
    TOO_MANY = "too_many"
    OFFICE_BUSY = "office_busy"


def limit_key(limit: Limit, subject: str) -> str:
    return f"{limit.name}:{subject}"


def spent_pow_key(challenge: str) -> str:
    """One key per solved challenge for the whole site: a solution is spent once."""
    return f"pow:{challenge}"


def counters_hit(
    *, windows: dict[str, int], now: int | None = None, using: str = DEFAULT_DB_ALIAS
) -> dict[str, int]:
    """Count one hit on each key in ONE statement; returns the hits in the
    current window, this one included.

    ``windows`` maps a key to its window length in seconds, or to a negative
    number meaning "this window ends at exactly -value" (spent proof-of-work
    challenges live until their challenge expires). The upsert is atomic per
    row on PostgreSQL (the conflicting row is locked and re-read) and on SQLite
    (one writer at a time), so concurrent hits are never lost; the ORM's
    ``bulk_create(update_conflicts=True)`` cannot restart an ended window.
    Callers may count in autocommit, or inside their own short transaction
    (a sign-on does, to commit once): the client's row then stays locked for
    those few milliseconds, which serializes only that client's own requests.
    """
    if not windows:
        return {}
    connection = connections[using]
    now = int(time.time()) if now is None else now
    table = connection.ops.quote_name(AbuseCounter._meta.db_table)
    key = connection.ops.quote_name("key")
    rows = ", ".join(["(%s, 1, %s)"] * len(windows))
    params: list[str | int] = []
    for name, window in windows.items():
        params += [name, -window if window < 0 else now + window]
    sql = (
        f"INSERT INTO {table} ({key}, hits, expires) VALUES {rows} "  # noqa: S608 (our table)
        f"ON CONFLICT ({key}) DO UPDATE SET "
        f"hits = CASE WHEN {table}.expires <= %s THEN 1 ELSE {table}.hits + 1 END, "
        f"expires = CASE WHEN {table}.expires <= %s THEN excluded.expires ELSE {table}.expires END "
        f"RETURNING {key}, hits"
    )
    with connection.cursor() as cursor:
        # Not for speed: bulk_create(update_conflicts=True) cannot restart an
        # ended window (CASE on the stored row), so the upsert is written out.
        cursor.execute(sql, [*params, now, now])
        return {name: hits for name, hits in cursor.fetchall()}


def counters_purge(*, now: int | None = None) -> int:
    """Delete counters whose window has ended (run_periodic, hourly)."""
    now = int(time.time()) if now is None else now
    deleted, _ = AbuseCounter.objects.filter(expires__lt=now).delete()
    return deleted


def rate_limit_hit(limit: Limit, subject: str) -> bool:
    """Count one hit on one limit; True when it is exceeded (this hit included)."""
    key = limit_key(limit, subject)
    return counters_hit(windows={key: limit.window_seconds})[key] > limit.max_hits


def limits_screen(
    *, checks: Sequence[tuple[Limit, str, Refusal]], client: str, pow_payload: str, no_pow: Limit
) -> Refusal:
    """Count one submission against ``checks`` (limit, subject, refusal) and
    the proof of work; return the first refusal that applies, or NONE.

    With a payload, it must verify and must not have been spent (its counter
    lives until the challenge expires); a payload that fails is refused before
    anything is counted. Without one, ``no_pow`` (per client) applies too.
    """
    windows = {limit_key(limit, subject): limit.window_seconds for limit, subject, _ in checks}
    maxima = {limit_key(limit, subject): limit.max_hits for limit, subject, _ in checks}
    refusals = [(limit_key(limit, subject), refusal) for limit, subject, refusal in checks]
    if pow_payload:
        checked = pow_check(pow_payload)
        if checked.reason != "ok":
            return Refusal.POW_FAILED
        spent = spent_pow_key(checked.challenge)
        # Remembered a little past the challenge's expiry (after that
        # pow_check refuses the payload as expired anyway).
        windows[spent], maxima[spent] = -(checked.expires + 5), 1
        refusals.append((spent, Refusal.POW_FAILED))
    else:
        nopow = limit_key(no_pow, client)
        windows[nopow], maxima[nopow] = no_pow.window_seconds, no_pow.max_hits
        refusals.append((nopow, Refusal.TOO_MANY))
    hits = counters_hit(windows=windows)
    for key, refusal in refusals:
        if hits[key] > maxima[key]:
            return refusal
    return Refusal.NONE


@dataclass(frozen=True)
class OfficeLimits:
    """The limits of a visitor writing about one office (a resident's message,
    a roster suggestion): per visitor, per visitor and office, per office from
    everyone, and the visitor's budget without a proof of work."""

    per_client: Limit
    per_client_office: Limit
    per_office: Limit
    no_pow: Limit


def office_screen(
    *, limits: OfficeLimits, client: str, office_id: int, pow_payload: str
) -> Refusal:
    checks = [
        (limits.per_client, client, Refusal.TOO_MANY),
        (limits.per_client_office, f"{client}:{office_id}", Refusal.TOO_MANY),
        (limits.per_office, str(office_id), Refusal.OFFICE_BUSY),
    ]
    return limits_screen(
        checks=checks, client=client, pow_payload=pow_payload, no_pow=limits.no_pow
    )
