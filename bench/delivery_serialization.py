"""Why delivery serializes letters itself: one pump, three ways, against raw smtplib.

    .venv/bin/python bench/delivery.py --quick             # first: leaves var/bench/real.sqlite3
    .venv/bin/python bench/delivery_serialization.py

Runs ``delivery_pump`` in this process over the 300 letters of the bench's
``real`` campaign into a loopback sink, three rounds, alternating:

* ``django_api``: ``EmailMultiAlternatives`` and Django's ``message()``;
* ``letter_email``: ``channels/mime.py``'s ``LetterEmail`` (what ships);
* ``letter_email+raw_sql``: the same with the ``sent`` write as raw SQL.

and prints letters/s and the ratio to raw smtplib sending the same bytes. The
rule (STYLE.md 16): keep a fast path only where it wins at least 2x.
"""

from __future__ import annotations

import os
import smtplib
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BASE = Path(__file__).resolve().parent.parent


def main() -> None:
    port = 30000 + os.getpid() % 1000
    sink = subprocess.Popen(
        [sys.executable, str(BASE / "bench" / "delivery.py"), "--sink", str(port), os.devnull]
    )
    time.sleep(2)
    os.environ.update(
        {
            "SQLITE_PATH": str(BASE / "var" / "bench" / "real.sqlite3"),
            "DELIVERY_MODE": "smtp",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(port),
            "DELIVERY_PER_DOMAIN_PER_MINUTE": "1000000000",
            "DELIVERY_BATCH_SIZE": "100",
            "LOG_LEVEL": "WARNING",
        }
    )
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "firstline.settings")
    sys.path.insert(0, str(BASE))
    import django

    django.setup()
    try:
        run(port)
    finally:
        sink.kill()


def run(port: int) -> None:
    from django.conf import settings
    from django.core.mail import EmailMultiAlternatives
    from django.db import connection
    from django.template.loader import render_to_string
    from django.utils import timezone

    from firstline.delivery import sending
    from firstline.delivery.channels import email as channel
    from firstline.delivery.models import Delivery
    from firstline.mail.queue import SendQueue

    def django_message(delivery: Delivery) -> EmailMultiAlternatives:
        letter = delivery.letter
        message = EmailMultiAlternatives(
            subject=letter.subject,
            body=letter.text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[delivery.to_address],
            headers={"X-Firstline-Delivery": str(delivery.pk), "Content-Language": letter.language},
        )
        html = render_to_string("delivery/letter_email.html", {"letter": letter})
        message.attach_alternative(html, "text/html")
        return message

    sql = (
        f"UPDATE {Delivery._meta.db_table} SET status = %s, mode = %s, sent_at = %s, "
        "updated_at = %s, attempts = attempts + 1, lease_token = '', lease_until = NULL, "
        "last_error = '', next_attempt_at = NULL WHERE id = %s AND lease_token = %s"
    )

    class RawSentQueue(SendQueue):
        def record_sent(self, row: Any, *, token: str, mode: str, status: str = "sent", **extra: Any) -> bool:  # fmt: skip
            now = timezone.now()
            with connection.cursor() as cursor:
                cursor.execute(sql, [status, mode, now, now, row.pk, token])
            return True

    orm = sending.LETTERS
    raw_queue = RawSentQueue(Delivery, orm.lease_seconds, orm.backoff_seconds)
    shipped = channel.letter_message
    campaign = Delivery.objects.values_list("campaign_id", flat=True).first()
    rows = list(Delivery.objects.filter(campaign_id=campaign).select_related("letter"))

    def raw_smtplib() -> float:
        data = []
        for d in rows:
            message = shipped(d)
            message.extra_headers["Message-ID"] = d.message_id
            data.append(message.message().as_bytes())
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            started = time.perf_counter()
            for d, raw in zip(rows, data, strict=True):
                smtp.sendmail(settings.DEFAULT_FROM_EMAIL, [d.to_address], raw)
            return len(rows) / (time.perf_counter() - started)

    variants = {
        "django_api": (django_message, orm),
        "letter_email": (shipped, orm),
        "letter_email+raw_sql": (shipped, raw_queue),
    }
    results: dict[str, list[float]] = {}
    for _round in range(3):
        results.setdefault("raw smtplib", []).append(raw_smtplib())
        for name, (build, queue) in variants.items():
            Delivery.objects.filter(campaign_id=campaign).update(
                status="queued", next_attempt_at=timezone.now(), attempts=0, lease_token="", lease_until=None
            )  # fmt: skip
            channel.letter_message, sending.LETTERS = build, queue  # type: ignore[assignment]
            started = time.perf_counter()
            sent = sending.delivery_pump(campaign_id=campaign, budget_seconds=600)
            assert sent == len(rows), (name, sent)
            results.setdefault(name, []).append(sent / (time.perf_counter() - started))
    raw = sorted(results["raw smtplib"])[1]
    for name, rates in results.items():
        median = sorted(rates)[1]
        print(
            f"{name:22s} {median:6.0f}/s  ratio {median / raw:.2f}  ({' '.join(f'{r:.0f}' for r in rates)})"
        )


if __name__ == "__main__":
    main()
