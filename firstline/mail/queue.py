"""One claim/lease/send/record path for rows that must leave at most once per lease.

Both queues that send mail use it: the transactional outbox (``mail.Email``) and
the campaign letters (``delivery.Delivery``). A row carries ``status``
(queued/sending/sent/failed), ``attempts``, ``next_attempt_at``,
``lease_token``, ``lease_until``, ``last_error``, ``mode``, ``message_id`` and
``sent_at``.

1. The Message-ID is stamped when the row is written, so every attempt, and a
   resend after a crash, carries the same one.
2. ``claim`` moves ``queued`` rows to ``sending`` with a random token and a
   lease in one conditional update; only rows carrying that token are the
   caller's.
3. The caller sends each row and records it at once (``record_sent`` /
   ``record_failure``), each write guarded by the token, so a worker whose lease
   was taken over cannot overwrite the new owner's result.
4. ``sweep`` puts rows whose lease expired (their worker died) back to
   ``queued``; the Message-ID stays.

What no client can close is the window between the server's 250 and the commit
of ``sent``: a kill there resends one message, with the same Message-ID.
"""

from __future__ import annotations

import smtplib
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db import models
from django.utils import timezone

QUEUED, SENDING, SENT, FAILED = "queued", "sending", "sent", "failed"

Row = TypeVar("Row", bound=models.Model)


def is_permanent(error: BaseException) -> bool:
    """Retrying cannot help: a malformed address, or a 5xx from the server."""
    if isinstance(error, (ValueError, UnicodeError)):
        return True
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in error.recipients.values())
    return False


@dataclass(frozen=True)
class SendQueue(Generic[Row]):
    model: type[Row]
    lease_seconds: int
    backoff_seconds: int

    def claim(self, ids: Sequence[int], *, related: Sequence[str] = ()) -> tuple[str, list[Row]]:
        """Lease the still-queued rows among ``ids``; returns the token and the rows it won."""
        if not ids:
            return "", []
        token = uuid.uuid4().hex
        claimed = self.model._default_manager.filter(pk__in=list(ids), status=QUEUED).update(
            status=SENDING,
            lease_token=token,
            lease_until=timezone.now() + timedelta(seconds=self.lease_seconds),
        )
        if not claimed:
            return token, []
        rows = self.model._default_manager.filter(
            pk__in=list(ids), lease_token=token, status=SENDING
        ).order_by("pk")
        if related:
            rows = rows.select_related(*related)
        return token, list(rows)

    def release(self, rows: Iterable[Row], *, token: str, at: datetime) -> None:
        """Give leased rows back unsent, without spending an attempt."""
        self.model._default_manager.filter(pk__in=[r.pk for r in rows], lease_token=token).update(
            status=QUEUED, lease_token="", lease_until=None, next_attempt_at=at
        )

    def sweep(self, *, now: datetime | None = None, **filters: Any) -> int:
        """Put rows whose lease expired back in the queue (same Message-ID)."""
        now = now or timezone.now()
        return self.model._default_manager.filter(
            status=SENDING, lease_until__lt=now, **filters
        ).update(status=QUEUED, lease_token="", lease_until=None, next_attempt_at=now)

    def record_sent(
        self, row: Row, *, token: str, mode: str, status: str = SENT, **extra: Any
    ) -> bool:
        """The one write per message, committed on its own right after the server's 250."""
        return bool(
            self.model._default_manager.filter(pk=row.pk, lease_token=token).update(
                status=status,
                mode=mode,
                sent_at=timezone.now(),
                # The token guard means nobody else wrote this row since the claim.
                attempts=row.attempts + 1,  # type: ignore[attr-defined]
                lease_token="",
                lease_until=None,
                last_error="",
                next_attempt_at=None,
                **extra,
            )
        )

    def record_failure(self, row: Row, *, token: str, error: BaseException) -> bool:
        """Back off ``backoff * 2^(attempts-1)``; give up after DELIVERY_MAX_ATTEMPTS or at once
        when retrying cannot help. Returns True if the row is now ``failed``."""
        attempts = row.attempts + 1  # type: ignore[attr-defined]
        failed = is_permanent(error) or attempts >= settings.DELIVERY_MAX_ATTEMPTS
        retry_at = timezone.now() + timedelta(seconds=self.backoff_seconds * 2 ** (attempts - 1))
        self.model._default_manager.filter(pk=row.pk, lease_token=token).update(
            status=FAILED if failed else QUEUED,
            attempts=attempts,
            lease_token="",
            lease_until=None,
            last_error=f"{type(error).__name__}: {error}"[:2000],
            next_attempt_at=None if failed else retry_at,
        )
        return failed
