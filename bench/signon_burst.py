#!/usr/bin/env python
"""Sign-on burst: N concurrent sign-on POSTs against the production server.

What it does (loopback only):
1. Creates a scratch PostgreSQL database from the ``firstline`` role
   (``--database-url`` to point elsewhere), migrates it and adds one campaign
   and two jurisdictions.
2. Starts gunicorn with sync workers, DEBUG off, on that database, with
   ``SIGNON_BENCH_BYPASS=1``: rate limits, the minimum fill time and the
   proof-of-work are off (one client posting 1,000 forms would trip them all;
   solving 1,000 challenges would measure the client). The bypass is refused
   by the system check campaigns.E001 and ignored by the code when
   FIRSTLINE_ENV=production, so the server runs with FIRSTLINE_ENV=development
   and is otherwise configured as in production. Everything else in the
   request path is real: CSRF, form validation, Unicode cleaning, the
   jurisdiction lookup, the organization upsert, the signature upsert with
   encryption and the lookup hash, the outbox row and the task enqueue.
3. Fires the baseline: the same number of POSTs at a trivial CSRF-checked view
   (``campaigns:bench_echo``, 404 unless the bypass is on), then the sign-ons,
   then the baseline again (its two runs are averaged, to cancel drift).
   ``--requests`` sign-ons of which ``--resubmissions`` repeat an earlier
   organization + email (with a different contact name), shuffled so that
   originals and repeats race each other, through a bounded thread pool.
4. Checks the database: exactly requests - resubmissions signatures, all
   distinct, and the sum of their ``submit_count`` equals the number of POSTs
   (no submission lost, no update lost).

Prints a last line ``RESULT key=value ...``. ``--quick`` runs 200 requests.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PY = sys.executable
DEFAULT_ADMIN_URL = "postgres://firstline:firstline@127.0.0.1:5432/postgres"

SETUP = """
from firstline.campaigns.models import Campaign
from firstline.geo.models import Jurisdiction
tx, _ = Jurisdiction.objects.get_or_create(ocd_id="ocd-division/country:us/state:tx",
    defaults=dict(kind="state", name="Texas", short_name="Texas", geoid="48", usps="TX"))
Jurisdiction.objects.get_or_create(ocd_id="ocd-division/country:us/state:tx/county:harris",
    defaults=dict(kind="county", name="Harris County", short_name="Harris", geoid="48201", usps="TX", state=tx))
Campaign.objects.get_or_create(slug="burst", defaults=dict(title="Burst", letter_en="Dear {{ official.title }}",
    status="collecting", languages=["en"]))
"""

COUNT = """
from django.db.models import Count, Sum
from firstline.campaigns.models import Signature
qs = Signature.objects.filter(campaign__slug="burst")
print(qs.count(), qs.values("organization_id", "email_hash").distinct().count(),
      qs.aggregate(s=Sum("submit_count"))["s"] or 0,
      qs.values("organization_id", "email_hash").annotate(n=Count("id")).filter(n__gt=1).count())
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Client:
    host: str
    port: int
    csrf: str
    cookie: str

    def post(self, path: str, fields: dict[str, str]) -> tuple[int, float]:
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": self.csrf, **fields})
        started = time.perf_counter()
        conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            conn.request(
                "POST",
                path,
                body=body,
                headers={
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Cookie": self.cookie,
                    "Referer": f"http://{self.host}:{self.port}/",
                },
            )
            response = conn.getresponse()
            response.read()
            status = response.status
        finally:
            conn.close()
        return status, time.perf_counter() - started


def client_for(url: str, page: str) -> Client:
    parsed = urllib.parse.urlparse(url)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
    conn.request("GET", page)
    response = conn.getresponse()
    html = response.read().decode()
    cookie = response.getheader("Set-Cookie") or ""
    conn.close()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not match or "csrftoken=" not in cookie:
        raise SystemExit(f"no CSRF token on {page} (status {response.status})")
    return Client(
        parsed.hostname or "127.0.0.1", parsed.port or 80, match.group(1), cookie.split(";")[0]
    )


def signon_payloads(requests: int, resubmissions: int, seed: int = 7) -> list[dict[str, str]]:
    unique = requests - resubmissions
    originals = [
        {
            "org_name": f"Burst Org {i} <b>&</b>",
            "org_website": f"https://org{i}.example.org",
            "org_type": ["local", "state", "national"][i % 3],
            "home": "Harris County, TX" if i % 2 else "Texas",
            "contact_name": f"Contact {i}",
            "contact_email": f"contact{i}@example.org",
            "contact_role": "Director",
            "homepage": "",
            "form_ts": "",
            "pow": "",
        }
        for i in range(unique)
    ]
    repeats = [
        {
            **originals[i % unique],
            "contact_name": f"Contact {i} again",
            "contact_email": f"CONTACT{i % unique}@example.org",
        }
        for i in range(resubmissions)
    ]
    payloads = originals + repeats
    random.Random(seed).shuffle(payloads)
    return payloads


def fire(
    client: Client, path: str, payloads: list[dict[str, str]], threads: int
) -> tuple[float, list[float], dict[int, int]]:
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        results = list(pool.map(lambda fields: client.post(path, fields), payloads))
    elapsed = time.perf_counter() - started
    codes: dict[int, int] = {}
    for status, _ in results:
        codes[status] = codes.get(status, 0) + 1
    return elapsed, [latency for _, latency in results], codes


def p99(latencies: list[float]) -> float:
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def manage(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [PY, "manage.py", *args], cwd=BASE_DIR, env=env, check=True, capture_output=True, text=True
    ).stdout


def start_server(env: dict[str, str], workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        [
            PY,
            "-m",
            "gunicorn",
            "firstline.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--backlog",
            "2048",
            "--log-level",
            "warning",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(
                f"gunicorn exited: {proc.stderr.read().decode() if proc.stderr else ''}"
            )
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc, url
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("gunicorn did not start")


def run_burst(
    url: str, *, requests: int, resubmissions: int, threads: int, slug: str = "burst"
) -> dict[str, float]:
    """Baseline, sign-ons, baseline; returns figures (also used by the tests)."""
    client = client_for(url, f"/en/campaigns/{slug}/")
    echo = [{"x": str(i)} for i in range(requests)]
    base1, base_lat1, base_codes1 = fire(client, "/en/campaigns/bench/echo/", echo, threads)
    signon = signon_payloads(requests, resubmissions)
    sign_elapsed, sign_lat, sign_codes = fire(
        client, f"/en/campaigns/{slug}/sign/", signon, threads
    )
    base2, base_lat2, base_codes2 = fire(client, "/en/campaigns/bench/echo/", echo, threads)
    base_elapsed = (base1 + base2) / 2
    return {
        "signon_rps": requests / sign_elapsed,
        "baseline_rps": requests / base_elapsed,
        "ratio": (requests / sign_elapsed) / (requests / base_elapsed),
        "signon_p50_ms": statistics.median(sign_lat) * 1000,
        "signon_p99_ms": p99(sign_lat) * 1000,
        "baseline_p99_ms": p99(base_lat1 + base_lat2) * 1000,
        "signon_ok": sign_codes.get(302, 0),
        "signon_errors": requests - sign_codes.get(302, 0),
        "baseline_errors": 2 * requests - base_codes1.get(200, 0) - base_codes2.get(200, 0),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="200 requests, 40 re-submissions.")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--resubmissions", type=int, default=200)
    parser.add_argument("--threads", type=int, default=32, help="Concurrent client connections.")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers.")
    parser.add_argument(
        "--admin-url", default=os.environ.get("BENCH_PG_ADMIN_URL", DEFAULT_ADMIN_URL)
    )
    args = parser.parse_args()
    if args.quick:
        args.requests, args.resubmissions = 200, 40

    import psycopg

    admin = urllib.parse.urlparse(args.admin_url)
    if admin.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("the bench runs on loopback only")
    db_name = f"firstline_bench_{uuid.uuid4().hex[:8]}"
    database_url = args.admin_url.rsplit("/", 1)[0] + "/" + db_name
    with psycopg.connect(args.admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{db_name}"')
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "SQLITE_PATH"))}
    env.update(
        {
            "DATABASE_URL": database_url,
            "FIRSTLINE_ENV": "development",
            "DEBUG": "0",
            "SIGNON_BENCH_BYPASS": "1",
            "DELIVERY_MODE": "outbox",
            "STATIC_MANIFEST": "0",
            "LOG_LEVEL": "WARNING",
        }
    )
    server = None
    try:
        t0 = time.monotonic()
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "createcachetable")
        manage(env, "shell", "-c", SETUP)
        print(f"scratch database {db_name} ready in {time.monotonic() - t0:.1f}s", file=sys.stderr)
        server, url = start_server(env, args.workers)
        figures = run_burst(
            url, requests=args.requests, resubmissions=args.resubmissions, threads=args.threads
        )
        total, distinct, submits, duplicated = (
            int(x) for x in manage(env, "shell", "-c", COUNT).strip().splitlines()[-1].split()
        )
        expected = args.requests - args.resubmissions
        ok = (
            total == expected
            and distinct == expected
            and duplicated == 0
            and submits == args.requests
            and figures["signon_errors"] == 0
        )
        print(
            f"sign-on: {figures['signon_rps']:.0f} req/s, p50 {figures['signon_p50_ms']:.0f} ms, "
            f"p99 {figures['signon_p99_ms']:.0f} ms; trivial POST: {figures['baseline_rps']:.0f} req/s, "
            f"p99 {figures['baseline_p99_ms']:.0f} ms; ratio {figures['ratio']:.2f}",
            file=sys.stderr,
        )
        print(
            f"database: {total} signatures ({distinct} distinct, {duplicated} duplicated), "
            f"{submits} submissions counted, expected {expected} and {args.requests}",
            file=sys.stderr,
        )
        print(
            "RESULT "
            f"ok={int(ok)} requests={args.requests} resubmissions={args.resubmissions} "
            f"signatures={total} distinct={distinct} duplicated={duplicated} submissions_counted={submits} "
            f"errors={int(figures['signon_errors'])} signon_rps={figures['signon_rps']:.0f} "
            f"baseline_rps={figures['baseline_rps']:.0f} ratio={figures['ratio']:.2f} "
            f"p50_ms={figures['signon_p50_ms']:.0f} p99_ms={figures['signon_p99_ms']:.0f} "
            f"baseline_p99_ms={figures['baseline_p99_ms']:.0f} workers={args.workers} threads={args.threads}"
        )
        return 0 if ok else 1
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        with psycopg.connect(args.admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


if __name__ == "__main__":
    raise SystemExit(main())
