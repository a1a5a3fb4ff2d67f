#!/usr/bin/env python
"""Sign-on burst: N concurrent sign-on POSTs against the production server.

What it does (loopback only):
1. Creates a scratch PostgreSQL database from the ``firstline`` role
   (``--database-url`` to point elsewhere), migrates it and adds one campaign
   and two jurisdictions.
2. Starts gunicorn with sync workers, DEBUG off, on that database, plus one
   ``db_worker`` as in production (it sends the verification emails while
   the burst runs, competing for the same two cores), with the settings
   module ``bench.signon_settings`` (the site's settings plus the trivial
   view, ``bench/signon_urls.py``; it refuses FIRSTLINE_ENV=production, so the
   server runs with FIRSTLINE_ENV=development and is otherwise configured as
   in production) and ``BEHIND_PROXY=1``: each simulated organization posts
   from its own address (X-Forwarded-For, as our proxy would set it), so
   every rate limit is counted AND enforced, and none is reached.
   Everything in the request path is real: CSRF, the minimum fill time
   (the bench posts a timestamp from the page, aged past the minimum), the
   proof of work (it fetches and solves one real challenge per POST before
   the clock starts) and its replay check, form validation, Unicode
   cleaning, the jurisdiction lookup, the counters, and the transaction that
   stores the organization, the signature and the outbox row.
3. Fires the baseline: the same number of POSTs at a trivial CSRF-checked view
   (``/en/bench/echo/``), then the sign-ons, waits until the worker has sent
   every email, then fires the baseline again (its two runs are averaged, to
   cancel drift; the wait keeps the worker's catching-up out of the second
   baseline).
   ``--requests`` sign-ons of which ``--resubmissions`` repeat an earlier
   organization + email (with a different contact name), shuffled so that
   originals and repeats race each other, over ``--threads`` concurrent
   connections. The client is two processes of raw-socket threads, which on
   this machine get about what wrk gets from the trivial view (wrk itself
   cannot send an exact number of distinct bodies); ``--client python`` is
   the original http.client thread pool, which tops out near 800-1,400
   req/s here, so the trivial view looked slower and the ratio better.
4. Checks the database: exactly requests -
   resubmissions signatures, all distinct, the sum of their ``submit_count``
   equals the number of POSTs (no submission lost, no update lost), and one
   verification email sent and one send task per POST.

Prints a last line ``RESULT key=value ...``; ``mailed_s`` is how long after
the last sign-on's answer the worker had sent the last verification email
(outbox mode). ``--quick`` runs 200 requests.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
PY = sys.executable
DEFAULT_ADMIN_URL = "postgres://firstline:firstline@127.0.0.1:5432/postgres"
# The site's settings plus the trivial view (bench/signon_urls.py).
SETTINGS = "bench.signon_settings"
ECHO = "/en/bench/echo/"

SETUP = """
from firstline.campaigns.models import Campaign
from firstline.geo.models import Jurisdiction
tx, _ = Jurisdiction.objects.get_or_create(ocd_id="ocd-division/country:us/state:tx",
    defaults=dict(kind="state", name="Texas", short_name="Texas", geoid="48", usps="TX"))
Jurisdiction.objects.get_or_create(ocd_id="ocd-division/country:us/state:tx/county:harris",
    defaults=dict(kind="county", name="Harris County", short_name="Harris", geoid="48201", usps="TX", state=tx))
for slug in "__SLUGS__".split():
    Campaign.objects.get_or_create(slug=slug, defaults=dict(title="Burst", letter_en="Dear {{ official.title }}",
        status="collecting", languages=["en"]))
"""

COUNT = """
from django.db.models import Count, Sum
from django_tasks_db.models import DBTaskResult
from firstline.campaigns.models import Signature
from firstline.mail.models import Email
for slug in "__SLUGS__".split():
  qs = Signature.objects.filter(campaign__slug=slug)
  print(qs.count(), qs.values("organization_id", "email_hash").distinct().count(),
        qs.aggregate(s=Sum("submit_count"))["s"] or 0,
        qs.values("organization_id", "email_hash").annotate(n=Count("id")).filter(n__gt=1).count(),
        Email.objects.filter(kind="signature_verify", status="sent").count(),
        DBTaskResult.objects.filter(task_path__endswith="send_email").count())
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
    form_ts: str = ""
    form_ts_at: float = 0.0

    def get_json(self, path: str) -> dict[str, object]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            return dict(json.loads(response.read()))
        finally:
            conn.close()

    def post(self, path: str, payload: dict[str, str]) -> tuple[int, float]:
        fields = {k: v for k, v in payload.items() if k != "_addr"}
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
                    "X-Forwarded-For": payload["_addr"],
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
    conn = http.client.HTTPConnection(parsed.hostname or "127.0.0.1", parsed.port, timeout=30)
    conn.request("GET", page)
    response = conn.getresponse()
    html = response.read().decode()
    cookie = response.getheader("Set-Cookie") or ""
    conn.close()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not match or "csrftoken=" not in cookie:
        raise SystemExit(f"no CSRF token on {page} (status {response.status})")
    form_ts = re.search(r'name="form_ts" value="([^"]+)"', html)
    return Client(
        parsed.hostname or "127.0.0.1",
        parsed.port or 80,
        match.group(1),
        cookie.split(";")[0],
        form_ts.group(1) if form_ts else "",
        time.monotonic(),
    )


def _solve(challenge: dict[str, object]) -> str:
    """One ALTCHA-style solution, as static/js/pow.js would post it."""
    import base64
    import hashlib

    salt, target = str(challenge["salt"]), str(challenge["challenge"])
    for n in range(int(str(challenge["maxnumber"])) + 1):
        if hashlib.sha256(f"{salt}{n}".encode()).hexdigest() == target:
            data = {k: v for k, v in challenge.items() if k != "maxnumber"}
            data["number"] = n
            return base64.b64encode(json.dumps(data).encode()).decode()
    raise SystemExit("unsolvable challenge")


def solved_challenges(client: Client, count: int) -> list[str]:
    """Fetch and solve ``count`` real challenges (before the clock starts)."""
    challenges = [client.get_json("/en/campaigns/challenge/") for _ in range(count)]
    with multiprocessing.Pool(max(1, (os.cpu_count() or 1))) as pool:
        return pool.map(_solve, challenges, chunksize=16)


def address(tag: int, i: int) -> str:
    """One simulated organization's address (sent as X-Forwarded-For)."""
    return f"10.{tag % 256}.{(i >> 8) % 256}.{i % 256}"


def signon_payloads(
    requests: int, resubmissions: int, seed: int = 7, tag: int = 0
) -> list[dict[str, str]]:
    """Distinct organizations, each from its own address; a re-submission
    comes from its original's address with the same email (upper-cased) and a
    new contact name. ``tag`` keeps rounds apart (emails and addresses), so
    no per-email or per-client limit is reached: the bench runs with every
    limit enforced. ``_addr`` is not a form field; the client sends it as
    X-Forwarded-For."""
    unique = requests - resubmissions
    originals = [
        {
            "_addr": address(tag, i),
            "org_name": f"Burst Org {i} <b>&</b>",
            "org_website": f"https://org{i}.example.org",
            "org_type": ["local", "state", "national"][i % 3],
            "home": "Harris County, TX" if i % 2 else "Texas",
            "contact_name": f"Contact {i}",
            "contact_email": f"contact{i}.r{tag}@example.org",
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
            "contact_email": f"CONTACT{i % unique}.R{tag}@example.org",
        }
        for i in range(resubmissions)
    ]
    payloads = originals + repeats
    random.Random(seed).shuffle(payloads)
    return payloads


@dataclass
class Fired:
    elapsed: float
    p50: float
    p99: float
    codes: dict[int, int]

    @classmethod
    def of(cls, elapsed: float, results: list[tuple[int, float]]) -> Fired:
        codes: dict[int, int] = {}
        for status, _ in results:
            codes[status] = codes.get(status, 0) + 1
        latencies = [latency for _, latency in results]
        return cls(elapsed, statistics.median(latencies), p99(latencies), codes)


def _raw_share(args: tuple[str, int, list[bytes], int]) -> list[tuple[int, float]]:
    """One client process: ``threads`` threads send prepared requests, one
    connection each (gunicorn's sync workers close after every response)."""
    host, port, requests, threads = args
    results: list[tuple[int, float]] = []
    pending = iter(requests)
    lock = threading.Lock()

    def run() -> None:
        while True:
            with lock:
                raw = next(pending, None)
            if raw is None:
                return
            started = time.perf_counter()
            chunks = []
            with socket.create_connection((host, port), timeout=60) as sock:
                sock.sendall(raw)
                while data := sock.recv(65536):
                    chunks.append(data)
            head = b"".join(chunks)[:12]
            status = int(head[9:12]) if head.startswith(b"HTTP/1.") else 0
            results.append((status, time.perf_counter() - started))

    pool = [threading.Thread(target=run) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return results


def fire_raw(
    client: Client, path: str, payloads: list[dict[str, str]], threads: int, processes: int = 2
) -> Fired:
    """Exactly len(payloads) POSTs from ``processes`` processes of raw-socket
    threads (``threads`` connections in all). On this machine it reaches
    about what wrk does on the trivial view (~2,400-2,900 req/s), where one
    process of http.client threads stalls near 1,400 on the GIL."""
    requests = []
    for payload in payloads:
        fields = {k: v for k, v in payload.items() if k != "_addr"}
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": client.csrf, **fields}).encode()
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {client.host}:{client.port}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"X-Forwarded-For: {payload['_addr']}\r\n"
            f"Cookie: {client.cookie}\r\nReferer: http://{client.host}:{client.port}/\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        )
        requests.append(head.encode() + body)
    processes = max(1, min(processes, threads))
    shares = [
        (client.host, client.port, requests[i::processes], max(1, threads // processes))
        for i in range(processes)
    ]
    with multiprocessing.Pool(processes) as pool:
        started = time.perf_counter()
        parts = pool.map(_raw_share, shares)
        elapsed = time.perf_counter() - started
    return Fired.of(elapsed, [result for part in parts for result in part])


def fire(
    client: Client, path: str, payloads: list[dict[str, str]], threads: int, how: str = "raw"
) -> Fired:
    if how == "raw":
        return fire_raw(client, path, payloads, threads)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        results = list(pool.map(lambda fields: client.post(path, fields), payloads))
    return Fired.of(time.perf_counter() - started, results)


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


def drop_database(admin_url: str, name: str) -> None:
    """DROP … WITH (FORCE) cannot end an autovacuum worker that happens to be
    in the database (InsufficientPrivilege for a non-superuser); retry."""
    import psycopg

    for attempt in range(10):
        try:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        except psycopg.errors.InsufficientPrivilege:
            if attempt == 9:
                raise
            time.sleep(1)


def start_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    """One db_worker, as ``make demo`` and production run it."""
    return subprocess.Popen(
        [PY, "manage.py", "db_worker", "--queue-name", "*", "--no-reload"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its living descendants (Linux /proc)."""
    total, pending = 0.0, [pid]
    tick = os.sysconf("SC_CLK_TCK")
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
        pending += [int(child) for child in children]
    return total


def cpu_probe(
    database_url: str, db_name: str, web: Callable[[], int | None], worker: Callable[[], int | None]
) -> Callable[[], dict[str, float]]:
    """CPU used so far by the web server, the task worker(s) and the database
    backends serving the scratch database (all on this machine)."""
    import psycopg

    def probe() -> dict[str, float]:
        with psycopg.connect(database_url, autocommit=True) as conn:
            backends = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [db_name],
            ).fetchall()
        web_pid, worker_pid = web(), worker()
        return {
            "web": _cpu_seconds(web_pid) if web_pid else 0.0,
            "worker": _cpu_seconds(worker_pid) if worker_pid else 0.0,
            "db": sum(_cpu_seconds(pid) for (pid,) in backends),
        }

    return probe


def wait_until_mailed(database_url: str, emails: int, timeout: float = 300) -> dict[str, float]:
    """Seconds until ``emails`` verification emails are sent (polling the
    database directly)."""
    import psycopg

    started = time.monotonic()
    with psycopg.connect(database_url, autocommit=True) as conn:
        while time.monotonic() - started < timeout:
            sent = conn.execute(
                "SELECT count(*) FROM mail_email WHERE kind = 'signature_verify' AND status = 'sent'"
            ).fetchone()
            if sent and sent[0] >= emails:
                return {"mailed_s": time.monotonic() - started}
            time.sleep(0.1)
    raise SystemExit(f"the worker did not finish within {timeout:.0f} s")


def run_burst(
    url: str,
    *,
    requests: int,
    resubmissions: int,
    threads: int,
    slug: str = "burst",
    how: str = "raw",
    settle: Callable[[], dict[str, float]] | None = None,
    tag: int = 0,
    cpu: Callable[[], dict[str, float]] | None = None,
) -> dict[str, Any]:
    """Baseline, sign-ons, ``settle()`` (wait for the worker's emails), baseline;
    returns figures (also used by the tests). ``cpu()``, when given, returns
    the CPU seconds used so far per part (web, worker, db): the figures then
    say what one sign-on and one trivial POST cost in CPU."""
    cpu = cpu or dict
    client = client_for(url, f"/en/campaigns/{slug}/")
    signon = signon_payloads(requests, resubmissions, tag=tag)
    for fields, solution in zip(signon, solved_challenges(client, requests), strict=True):
        fields["pow"], fields["form_ts"] = solution, client.form_ts
    # The server refuses forms filled in under MIN_FILL_SECONDS (3 s).
    time.sleep(max(0.0, client.form_ts_at + 3.5 - time.monotonic()))
    echo = [{"_addr": address(200 + tag, i), "x": str(i)} for i in range(requests)]
    at_start = cpu()
    base1 = fire(client, ECHO, echo, threads, how)
    before = cpu()
    sign = fire(client, f"/en/campaigns/{slug}/sign/", signon, threads, how)
    settled = settle() if settle else {}
    after = cpu()
    base2 = fire(client, ECHO, echo, threads, how)
    base_elapsed = (base1.elapsed + base2.elapsed) / 2
    # CPU per request, in ms: a sign-on's from its first POST until the
    # worker has sent its email; the trivial view's over its first run.
    per_request = {
        f"cpu_{part}_ms": (after[part] - before[part]) * 1000 / requests for part in after
    }
    per_request |= {
        f"cpu_trivial_{part}_ms": (before[part] - at_start[part]) * 1000 / requests
        for part in before
    }
    return {
        **settled,
        **per_request,
        "signon_rps": requests / sign.elapsed,
        "baseline_rps": requests / base_elapsed,
        "ratio": (requests / sign.elapsed) / (requests / base_elapsed),
        "signon_p50_ms": sign.p50 * 1000,
        "signon_p99_ms": sign.p99 * 1000,
        "baseline_p99_ms": max(base1.p99, base2.p99) * 1000,
        "signon_ok": sign.codes.get(302, 0),
        "signon_errors": requests - sign.codes.get(302, 0),
        "baseline_errors": 2 * requests - base1.codes.get(200, 0) - base2.codes.get(200, 0),
        "client": how,
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
        "--client",
        choices=["raw", "python"],
        default="raw",
        help="raw: 2 processes of raw-socket threads (default); python: the original "
        "http.client thread pool, which the trivial view outruns.",
    )
    parser.add_argument(
        "--admin-url", default=os.environ.get("BENCH_PG_ADMIN_URL", DEFAULT_ADMIN_URL)
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="Repeat baseline / sign-ons / baseline on a fresh campaign each round; the "
        "RESULT figures are medians (this machine's shared CPUs make single runs vary).",
    )
    parser.add_argument(
        "--no-sync-commit",
        action="store_true",
        help="Diagnostic: the scratch database with synchronous_commit=off, to see how much "
        "of a sign-on is waiting for the WAL flush of its commits (never how we run).",
    )
    parser.add_argument(
        "--worker",
        choices=["during", "after"],
        default="during",
        help="during: the db_worker sends the verification emails while the burst runs, "
        "competing for the cores, as in production (default); after: it starts when the "
        "burst's last answer is in, as in the run the 0.15 floor was set on (mailed_s then "
        "includes its start).",
    )
    args = parser.parse_args()
    if args.quick:
        args.requests, args.resubmissions, args.rounds = 200, 40, 1
    slugs = [f"burst-{n}" for n in range(1, args.rounds + 1)]

    import psycopg

    admin = urllib.parse.urlparse(args.admin_url)
    if admin.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("the bench runs on loopback only")
    db_name = f"firstline_bench_{uuid.uuid4().hex[:8]}"
    database_url = args.admin_url.rsplit("/", 1)[0] + "/" + db_name
    with psycopg.connect(args.admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{db_name}"')
        if args.no_sync_commit:
            conn.execute(f'ALTER DATABASE "{db_name}" SET synchronous_commit = off')
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "SQLITE_PATH"))}
    env.update(
        {
            "DATABASE_URL": database_url,
            "FIRSTLINE_ENV": "development",
            "DEBUG": "0",
            "DJANGO_SETTINGS_MODULE": SETTINGS,
            # As behind our reverse proxy: the client is the X-Forwarded-For entry.
            "BEHIND_PROXY": "1",
            "DELIVERY_MODE": "outbox",
            "STATIC_MANIFEST": "0",
            "LOG_LEVEL": "WARNING",
        }
    )
    server = worker = None
    try:
        t0 = time.monotonic()
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "createcachetable")
        manage(env, "shell", "-c", SETUP.replace("__SLUGS__", " ".join(slugs)))
        print(f"scratch database {db_name} ready in {time.monotonic() - t0:.1f}s", file=sys.stderr)
        server, url = start_server(env, args.workers)
        if args.worker == "during":
            worker = start_worker(env)

        def settle(number: int) -> dict[str, float]:
            nonlocal worker
            if args.worker == "after":
                # Kept running until the next round starts, so its CPU is read.
                if worker is not None:
                    stop(worker)
                worker = start_worker(env)
            return wait_until_mailed(database_url, number * args.requests)

        def stop_late_worker() -> None:
            nonlocal worker
            if args.worker == "after" and worker is not None:
                stop(worker)
                worker = None

        cpu = cpu_probe(
            database_url,
            db_name,
            lambda: server.pid if server else None,
            lambda: worker.pid if worker else None,
        )

        rounds = []
        for number, slug in enumerate(slugs, start=1):
            stop_late_worker()
            rounds.append(
                run_burst(
                    url,
                    requests=args.requests,
                    resubmissions=args.resubmissions,
                    threads=args.threads,
                    how=args.client,
                    slug=slug,
                    tag=number,
                    settle=lambda n=number: settle(n),
                    cpu=cpu,
                )
            )
            figures = rounds[-1]
            print(
                f"round {number}: sign-on {figures['signon_rps']:.0f} req/s, p50 "
                f"{figures['signon_p50_ms']:.0f} ms, p99 {figures['signon_p99_ms']:.0f} ms; "
                f"trivial POST {figures['baseline_rps']:.0f} req/s, p99 "
                f"{figures['baseline_p99_ms']:.0f} ms; ratio {figures['ratio']:.2f}; mailed "
                f"{figures['mailed_s']:.1f} s after the burst; CPU per sign-on: web "
                f"{figures['cpu_web_ms']:.1f} ms, worker {figures['cpu_worker_ms']:.1f} ms, "
                f"database {figures['cpu_db_ms']:.1f} ms; per trivial POST: web "
                f"{figures['cpu_trivial_web_ms']:.2f} ms",
                file=sys.stderr,
            )
        counts = [
            [int(x) for x in line.split()]
            for line in manage(env, "shell", "-c", COUNT.replace("__SLUGS__", " ".join(slugs)))
            .strip()
            .splitlines()[-len(slugs) :]
        ]
        expected = args.requests - args.resubmissions
        ok = True
        for (total, distinct, submits, duplicated, _e, _t), figures in zip(
            counts, rounds, strict=True
        ):
            ok = ok and (
                total == expected
                and distinct == expected
                and duplicated == 0
                and submits == args.requests
                and figures["signon_errors"] == 0
            )
        total, distinct, submits, duplicated, emails, tasks = counts[-1]
        all_posts = args.requests * len(slugs)
        ok = ok and emails == all_posts and tasks == all_posts
        print(
            f"database, last round: {total} signatures ({distinct} "
            f"distinct, {duplicated} duplicated), {submits} submissions counted (expected "
            f"{expected} and {args.requests}); all rounds: {emails} emails sent and {tasks} send "
            f"tasks (expected {all_posts}); every round exact: {ok}",
            file=sys.stderr,
        )

        def median(key: str) -> float:
            return statistics.median(r[key] for r in rounds)

        print(
            "RESULT "
            f"ok={int(ok)} rounds={len(rounds)} requests={args.requests} "
            f"resubmissions={args.resubmissions} signatures={total} distinct={distinct} "
            f"duplicated={duplicated} submissions_counted={submits} "
            f"errors={sum(int(r['signon_errors']) for r in rounds)} "
            f"signon_rps={median('signon_rps'):.0f} baseline_rps={median('baseline_rps'):.0f} "
            f"ratio={median('ratio'):.2f} "
            f"ratios={','.join(f'{r["ratio"]:.2f}' for r in rounds)} "
            f"p50_ms={median('signon_p50_ms'):.0f} p99_ms={median('signon_p99_ms'):.0f} "
            f"p99_max_ms={max(r['signon_p99_ms'] for r in rounds):.0f} "
            f"baseline_p99_ms={median('baseline_p99_ms'):.0f} "
            f"mailed_s={median('mailed_s'):.1f} "
            f"cpu_web_ms={median('cpu_web_ms'):.1f} cpu_worker_ms={median('cpu_worker_ms'):.1f} "
            f"cpu_db_ms={median('cpu_db_ms'):.1f} "
            f"cpu_trivial_web_ms={median('cpu_trivial_web_ms'):.2f} "
            f"workers={args.workers} threads={args.threads} "
            f"client={rounds[-1]['client']} worker={args.worker} "
            f"sync_commit={'off' if args.no_sync_commit else 'on'}"
        )
        return 0 if ok else 1
    finally:
        for proc in (server, worker):
            if proc is not None:
                stop(proc)
        drop_database(args.admin_url, db_name)


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


if __name__ == "__main__":
    raise SystemExit(main())
