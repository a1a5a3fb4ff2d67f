"""Delivery benchmark: the real db_worker sending a campaign into a local SMTP sink.

    .venv/bin/python bench/delivery.py            # ~7,000 legislators + governors, 5k/50k memory, 200-letter packet
    .venv/bin/python bench/delivery.py --quick    # about a minute: 300 letters, 300/1,000 memory, 20-letter packet

What it measures (all on loopback, in one run, so ratios are comparable):

* letters/s of the whole pipeline (claim, build, send over reused SMTP
  connections, record) with ``db_worker`` processes, against raw ``smtplib``
  sending the same pre-built messages over one connection to the same kind of
  sink;
* exactly-once: every Delivery is ``sent`` and the sink saw each Message-ID once;
* the worker's peak RSS (VmHWM) at two campaign sizes -- synthetic targets for
  the big one (example.org addresses on made-up council seats);
* one merged WeasyPrint packet of N letters vs N separate renders, and a PNG
  of one packet page in docs/img/.

The per-domain rate limit is lifted for the run (every legislature shares a
handful of domains; the limit would measure the limit). The bench works on a
copy of the loaded database (var/test-cache, or a fresh ``load_bundled``).
Last line: ``RESULT key=value ...``.
"""

from __future__ import annotations

import argparse
import asyncio
import email.policy
import os
import shutil
import signal
import smtplib
import socket
import sqlite3
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
VAR = BASE / "var" / "bench"
PY = sys.executable
# A SQLite file, or a PostgreSQL URL (str).
Database = Path | str


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- The sink (runs as a subprocess of this script) ---------------------------------------


def run_sink(port: int, out: Path) -> None:
    from aiosmtpd.controller import Controller

    class Handler:
        def __init__(self) -> None:
            self.fh = out.open("a", buffering=1)

        async def handle_DATA(self, server, session, envelope):
            mid = ""
            for line in envelope.content.split(b"\r\n", 60):
                if line.lower().startswith(b"message-id:"):
                    mid = line.split(b":", 1)[1].strip().decode()
                    break
            self.fh.write(mid + "\n")
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    signal.signal(signal.SIGTERM, lambda *a: (controller.stop(), sys.exit(0)))
    asyncio.run(asyncio.sleep(10**9))


class Sink:
    def __init__(self, name: str) -> None:
        self.port = free_port()
        self.out = VAR / f"sink-{name}.txt"
        self.out.unlink(missing_ok=True)
        self.proc = subprocess.Popen([PY, __file__, "--sink", str(self.port), str(self.out)])
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("sink did not start")

    def ids(self) -> list[str]:
        return [x for x in self.out.read_text().splitlines() if x] if self.out.exists() else []

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


# --- Database copies ------------------------------------------------------------------------


def base_database() -> Path:
    VAR.mkdir(parents=True, exist_ok=True)
    cached = sorted(
        (BASE / "var" / "test-cache").glob("national-*.sqlite3"), key=lambda p: p.stat().st_mtime
    )
    base = VAR / "base.sqlite3"
    if cached:
        shutil.copy(cached[-1], base)
    elif not base.exists():
        env = {**os.environ, "SQLITE_PATH": str(base)}
        subprocess.run(
            [PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=BASE, env=env, check=True
        )
        subprocess.run([PY, "manage.py", "createcachetable"], cwd=BASE, env=env, check=True)
        subprocess.run([PY, "manage.py", "load_bundled", "-v0"], cwd=BASE, env=env, check=True)
    # Bring the copy to the current migrations (the cache may predate a new app migration).
    env = {**os.environ, "SQLITE_PATH": str(base)}
    env.pop("DATABASE_URL", None)
    subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=BASE, env=env, check=True)
    return base


def fresh_copy(base: Path, name: str) -> Path:
    target = VAR / f"{name}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    src = sqlite3.connect(base)
    dst = sqlite3.connect(target)
    src.backup(dst)
    dst.close()
    src.close()
    return target


def env_for(db: Database, sink: Sink, workers: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    # A str is a PostgreSQL URL (bench/scaleout.py); a Path is a SQLite file.
    env["DATABASE_URL" if isinstance(db, str) else "SQLITE_PATH"] = str(db)
    env.update(
        {
            "DELIVERY_MODE": "smtp",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(sink.port),
            "DELIVERY_PER_DOMAIN_PER_MINUTE": "1000000000",
            "DELIVERY_PUMPS": str(workers),
            "DELIVERY_BATCH_SIZE": "100",
            "DELIVERY_PUMP_BUDGET_SECONDS": "600",
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


def manage(env: dict[str, str], *args: str) -> str:
    out = subprocess.run(
        [PY, "manage.py", *args], cwd=BASE, env=env, check=True, capture_output=True, text=True
    )
    return out.stdout.strip()


def sql(db: Database, query: str) -> list[tuple]:
    if isinstance(db, str):
        import psycopg

        with psycopg.connect(db) as pg:
            return pg.execute(query).fetchall()
    con = sqlite3.connect(db, timeout=30)
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


def as_datetime(value: str | datetime) -> datetime:
    # SQLite returns timestamps as text, PostgreSQL as datetimes.
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def vm_hwm_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def deliver(
    db: Database, sink: Sink, *, workers: int, seed_args: list[str], label: str
) -> dict[str, float]:
    env = env_for(db, sink, workers)
    seeded = manage(
        env, "delivery_seed", "--slug", label, "--email-only", "--switch-on", "--start", *seed_args
    )
    campaign = int(seeded.split("campaign=")[1].split()[0])
    total = sql(
        db,
        f"select count(*) from delivery_delivery where campaign_id={campaign} and channel='email'",
    )[0][0]
    started = time.monotonic()
    procs = [
        subprocess.Popen(
            [
                PY,
                "manage.py",
                "db_worker",
                "--queue-name",
                "delivery",
                "--interval",
                "0.05",
                "--no-reload",
                "--no-startup-delay",
            ],
            cwd=BASE,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(workers)
    ]
    peak = 0
    try:
        while True:
            peak = max([peak, *(vm_hwm_kb(p.pid) for p in procs)])
            sent = sql(
                db,
                f"select count(*) from delivery_delivery where campaign_id={campaign} and status='sent'",
            )[0][0]
            if sent >= total:
                break
            if time.monotonic() - started > 1800:
                raise RuntimeError(f"{label}: only {sent}/{total} sent")
            time.sleep(0.2)
        elapsed = time.monotonic() - started
        peak = max([peak, *(vm_hwm_kb(p.pid) for p in procs)])
    finally:
        for p in procs:
            p.terminate()
            p.wait(timeout=20)
    ids = sink.ids()
    expected = {
        r[0]
        for r in sql(
            db,
            f"select message_id from delivery_delivery where campaign_id={campaign} and channel='email'",
        )
    }
    exactly_once = len(ids) == len(set(ids)) == total and set(ids) == expected
    # Steady state: first to last recorded send, without the workers' start-up.
    first, last = sql(
        db, f"select min(sent_at), max(sent_at) from delivery_delivery where campaign_id={campaign}"
    )[0]
    sending = (as_datetime(last) - as_datetime(first)).total_seconds() or elapsed
    print(
        f"  {label}: {total} letters in {elapsed:.1f}s wall = {total / elapsed:.0f}/s "
        f"(first to last send {sending:.1f}s = {total / sending:.0f}/s), exactly_once={exactly_once}, "
        f"worker peak RSS {peak / 1024:.0f} MB ({seeded})"
    )
    return {
        "campaign": campaign,
        "total": total,
        "elapsed": elapsed,
        "rate": total / elapsed,
        "steady_rate": total / sending,
        "exactly_once": exactly_once,
        "peak_mb": peak / 1024,
    }


def raw_smtplib(db: Path, campaign: int) -> float:
    """The same messages, built beforehand, sent with smtplib over one connection."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "firstline.settings")
    os.environ["SQLITE_PATH"] = str(db)
    os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(BASE))
    import django

    django.setup()
    import logging

    from django.conf import settings

    for name in ("weasyprint", "fontTools"):
        logging.getLogger(name).setLevel(logging.WARNING)

    from firstline.delivery.channels.email import letter_message
    from firstline.delivery.models import Delivery

    rows = list(
        Delivery.objects.filter(campaign_id=campaign, channel="email").select_related("letter")
    )
    messages = []
    for d in rows:
        msg = letter_message(d)
        msg.extra_headers["Message-ID"] = d.message_id.replace("@", ".raw@")
        messages.append(
            (msg.from_email, [d.to_address], msg.message(policy=email.policy.SMTP).as_bytes())
        )
    sink = Sink("raw")
    try:
        started = time.monotonic()
        with smtplib.SMTP("127.0.0.1", sink.port) as smtp:
            for sender, to, data in messages:
                smtp.sendmail(sender, to, data)
        elapsed = time.monotonic() - started
        deadline = time.monotonic() + 30
        while len(sink.ids()) < len(messages) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        sink.stop()
    rate = len(messages) / elapsed
    print(
        f"  raw smtplib: {len(messages)} messages in {elapsed:.1f}s = {rate:.0f}/s ({settings.DELIVERY_MODE=})"
    )
    return rate


def packets(n: int) -> tuple[float, float, int]:
    from firstline.delivery.models import LetterCopy
    from firstline.delivery.printing import letters_pdf

    letters = list(
        LetterCopy.objects.select_related("campaign", "target", "target__jurisdiction").order_by(
            "pk"
        )[:n]
    )
    letters_pdf(letters=letters[:1])  # warm up: fonts and CSS are loaded once per process
    merged = separate = float("inf")
    # Best of two rounds: the machine is shared and noisy.
    for _ in range(2):
        started = time.monotonic()
        pdf, pages = letters_pdf(letters=letters)
        merged = min(merged, time.monotonic() - started)
        started = time.monotonic()
        for letter in letters:
            letters_pdf(letters=[letter])
        separate = min(separate, time.monotonic() - started)
    out = VAR / "packet.pdf"
    out.write_bytes(pdf)
    img = BASE / "docs" / "img"
    img.mkdir(parents=True, exist_ok=True)
    if shutil.which("pdftoppm"):
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "60",
                "-f",
                "2",
                "-l",
                "2",
                "-singlefile",
                str(out),
                str(img / "delivery-packet-page"),
            ],
            check=True,
        )
    print(
        f"  packet of {len(letters)} letters ({pages} pages): merged {merged:.1f}s vs separate {separate:.1f}s "
        f"= {merged / separate:.2f}"
    )
    return merged, separate, len(letters)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sink", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sink:
        run_sink(int(args.sink[0]), Path(args.sink[1]))
        return
    os.chdir(BASE)
    base = base_database()
    small, big = (300, 1000) if args.quick else (5000, 50000)
    packet_n = 20 if args.quick else 200

    print("== legislators and governors with an email" + (" (first 300)" if args.quick else ""))
    db = fresh_copy(base, "real")
    sink = Sink("real")
    try:
        real = deliver(
            db,
            sink,
            workers=args.workers,
            seed_args=["--real", *(["--limit", "300"] if args.quick else [])],
            label="real",
        )
    finally:
        sink.stop()
    raw = raw_smtplib(db, int(real["campaign"]))
    merged, separate, n = packets(packet_n)

    print(f"== memory: synthetic targets, {small:,} vs {big:,}")
    mem = {}
    for size in (small, big):
        dbs = fresh_copy(base, f"synthetic{size}")
        sink = Sink(f"syn{size}")
        try:
            mem[size] = deliver(
                dbs,
                sink,
                workers=args.workers,
                seed_args=["--synthetic", str(size)],
                label=f"synthetic{size}",
            )
        finally:
            sink.stop()
        for suffix in ("", "-wal", "-shm"):
            Path(str(dbs) + suffix).unlink(missing_ok=True)
    print(
        f"RESULT letters={int(real['total'])} letters_per_s={real['rate']:.0f} "
        f"steady_letters_per_s={real['steady_rate']:.0f} raw_smtplib_per_s={raw:.0f} "
        f"ratio={real['rate'] / raw:.2f} steady_ratio={real['steady_rate'] / raw:.2f} exactly_once={real['exactly_once'] and all(m['exactly_once'] for m in mem.values())} "
        f"peak_mb_{small}={mem[small]['peak_mb']:.0f} peak_mb_{big}={mem[big]['peak_mb']:.0f} "
        f"mem_ratio={mem[big]['peak_mb'] / mem[small]['peak_mb']:.2f} packet_letters={n} packet_merged_s={merged:.1f} "
        f"packet_separate_s={separate:.1f} packet_ratio={merged / separate:.2f} workers={args.workers}"
    )


if __name__ == "__main__":
    main()
