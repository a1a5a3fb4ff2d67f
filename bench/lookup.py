"""JSON ZIP lookup vs a trivial JSON view, on the production server, same run.

Starts gunicorn (sync workers, no access log: as in production) on loopback
against an already loaded database, then drives it with wrk (50 connections)
alternating ``/api/v1/ping`` and ``/api/v1/lookup?zip=…`` (ZIPs rotated from a
sample of real ZCTAs, so nothing is served from one hot row). Reports
requests/s and p99 of each, the rps ratio (goal >= 0.5) and the p99 ratio
(goal <= 2). wrk sends no Accept-Encoding, so bodies go uncompressed; with
``--gzip`` every request (ping too) says ``Accept-Encoding: gzip`` as browsers do.

    .venv/bin/python bench/lookup.py [--quick] [--gzip] [--db var/firstline.sqlite3] [--workers 2]

With DATABASE_URL set it uses PostgreSQL instead of --db. The last line is
``RESULT key=value ...``.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
WRK = "/usr/bin/wrk"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def sample_zips(db: str, n: int) -> list[str]:
    if os.environ.get("DATABASE_URL"):
        out = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c",
             "from firstline.geo.models import Zcta;"
             f"print(' '.join(Zcta.objects.filter(state__isnull=False).order_by('?').values_list('code', flat=True)[:{n}]))"],
            cwd=BASE, capture_output=True, text=True, check=True,
        )  # fmt: skip
        return out.stdout.split()
    con = sqlite3.connect(db)
    codes = [r[0] for r in con.execute("SELECT code FROM geo_zcta WHERE state_id IS NOT NULL")]
    con.close()
    random.seed(7)
    return random.sample(codes, min(n, len(codes)))


def parse_wrk(text: str) -> tuple[float, float]:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))  # type: ignore[union-attr]
    m = re.search(r"99%\s+([\d.]+)(us|ms|s)", text)
    assert m, text
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if errors:
        raise SystemExit(f"wrk saw {errors.group(1)} error responses:\n{text}")
    return rps, float(m.group(1)) * scale


HEADERS: list[str] = []


def run_wrk(url: str, seconds: int, script: str | None) -> tuple[float, float]:
    cmd = [WRK, "-t2", "-c50", f"-d{seconds}s", "--latency", "--timeout", "10s", *HEADERS]
    if script:
        cmd += ["-s", script]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    return parse_wrk(out)


@contextmanager
def lookup_script(zips: list[str]) -> Iterator[str]:
    """A wrk script asking for the ZIPs in turn; yields its path."""
    lua = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)  # noqa: SIM115 (wrk reads it later)
    lua.write(
        "local zips = {" + ",".join(f'"{z}"' for z in zips) + "}\n"
        "local i = 0\n"
        "request = function()\n"
        "  i = i % #zips + 1\n"
        '  return wrk.format("GET", "/api/v1/lookup?zip=" .. zips[i])\n'
        "end\n"
    )
    lua.close()
    try:
        yield lua.name
    finally:
        os.unlink(lua.name)


@contextmanager
def gunicorn_server(env: dict[str, str], workers: int) -> Iterator[str]:
    """gunicorn with the project's gunicorn.conf.py on a free port; yields its base URL."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "firstline.wsgi:application", "-c", "gunicorn.conf.py",
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--worker-class", "sync", "--log-level", "warning"],
        cwd=BASE, env=env, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/api/v1/ping", timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("server did not start") from None
                time.sleep(0.3)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=15)


def warm_up(base: str, zips: list[str], lua: str, *, passes: int = 3, seconds: int = 3) -> None:
    # Imports, each worker's ZCTA index and per-jurisdiction memo, and the
    # database's page cache: steady state is what we compare.
    for _ in range(passes):
        for z in zips:
            urllib.request.urlopen(f"{base}/api/v1/lookup?zip={z}", timeout=10).read()
    run_wrk(base + "/", seconds, lua)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--db", default=str(BASE / "var" / "firstline.sqlite3"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--gzip", action="store_true", help="send Accept-Encoding: gzip")
    args = parser.parse_args()
    if args.gzip:
        HEADERS.extend(["-H", "Accept-Encoding: gzip"])
    seconds, rounds = (4, 1) if args.quick else (10, 3)

    zips = sample_zips(args.db, 100 if args.quick else 300)
    if not zips:
        raise SystemExit("no ZCTAs in the database: run `make data` first")
    env = {**os.environ, "FIRSTLINE_ENV": "test", "DEBUG": "0", "LOG_LEVEL": "WARNING"}
    if not os.environ.get("DATABASE_URL"):
        env["SQLITE_PATH"] = args.db
    with lookup_script(zips) as lua, gunicorn_server(env, args.workers) as base:
        warm_up(base, zips, lua)
        ping, look = [], []
        for _ in range(rounds):
            ping.append(run_wrk(base + "/api/v1/ping", seconds, None))
            look.append(run_wrk(base + "/", seconds, lua))
            print(f"round: ping {ping[-1][0]:.0f} rps p99 {ping[-1][1]:.1f} ms | "
                  f"lookup {look[-1][0]:.0f} rps p99 {look[-1][1]:.1f} ms", flush=True)  # fmt: skip

    ping_rps = statistics.median(r for r, _ in ping)
    ping_p99 = statistics.median(p for _, p in ping)
    look_rps = statistics.median(r for r, _ in look)
    look_p99 = statistics.median(p for _, p in look)
    rps_ratio = look_rps / ping_rps
    p99_ratio = look_p99 / ping_p99
    print(
        f"RESULT lookup_rps={look_rps:.0f} ping_rps={ping_rps:.0f} rps_ratio={rps_ratio:.2f} "
        f"lookup_p99_ms={look_p99:.1f} ping_p99_ms={ping_p99:.1f} p99_ratio={p99_ratio:.2f} "
        f"goal_rps={'met' if rps_ratio >= 0.5 else 'missed'} "
        f"goal_p99={'met' if p99_ratio <= 2 else 'missed'} workers={args.workers} gzip={int(args.gzip)} "
        f"connections=50 seconds={seconds} rounds={rounds}"
    )


if __name__ == "__main__":
    main()
