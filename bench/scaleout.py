"""Scale-out on PostgreSQL: delivery with 1, 2 and 4 db_workers, the ZIP lookup with 2 and 4 web workers.

    DATABASE_URL=postgres://... .venv/bin/python bench/scaleout.py            # 2,000 letters a config, 3 x 10 s windows
    DATABASE_URL=postgres://... .venv/bin/python bench/scaleout.py --quick    # under a minute: 200 letters, one 2 s window

Everything runs against one scratch database, ``bench_scaleout``, cloned
(``CREATE DATABASE … TEMPLATE``) from ``bench_scaleout_tpl_<fingerprint>``,
which holds the bundled national data. The template is built once with
``migrate`` + ``load_bundled`` (about a minute) and kept, keyed by the same
fingerprint as the test cache (data, migrations, importers), so later runs
clone it in a second; a template for an older fingerprint is dropped. The
scratch database is dropped at the end.

* **Delivery**: a campaign to real legislators, sent by the real
  ``db_worker`` processes through the queue to a local aiosmtpd sink
  (``bench/delivery.py``'s ``deliver``, which also checks that the sink saw
  every Message-ID exactly once). One fresh campaign per configuration
  (1, 2, 4 workers, each with as many pumps). The throughput is letters
  from the first to the last recorded send; the wall rate, which includes
  the workers' start-up, is printed too.
* **Lookup**: gunicorn with the project's gunicorn.conf.py and 2, then 4
  sync workers, warmed up, driven by wrk (50 connections) over a rotation of
  real ZCTAs (``bench/lookup.py``'s server, warm-up and wrk runs); median
  requests/s over the rounds.

Ratios are to the 1-worker (delivery) and 2-web-worker (lookup) figures of
the same run. Without a reachable PostgreSQL in DATABASE_URL the bench
prints ``RESULT skipped=1 reason=no-postgres`` and exits 0. Last line:
``RESULT key=value ...``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))

from bench import delivery, lookup  # noqa: E402 (needs the repository root on the path)

SCRATCH = "bench_scaleout"
TEMPLATE_PREFIX = "bench_scaleout_tpl_"
DELIVERY_WORKERS = (1, 2, 4)
WEB_WORKERS = (2, 4)


def database_url(url: str, name: str) -> str:
    return urlsplit(url)._replace(path="/" + name).geturl()


def postgres_reachable(url: str) -> bool:
    if urlsplit(url).scheme not in ("postgres", "postgresql"):
        return False
    import psycopg

    try:
        with psycopg.connect(database_url(url, "postgres"), connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


def admin(url: str, statement: str) -> None:
    """CREATE/DROP DATABASE, which cannot run inside a transaction."""
    import psycopg

    # WITH (FORCE) cannot end an autovacuum worker for a non-superuser
    # (InsufficientPrivilege); the worker is gone within a second or so.
    for attempt in range(10):
        try:
            with psycopg.connect(database_url(url, "postgres"), autocommit=True) as con:
                con.execute(statement)  # type: ignore[arg-type]
            return
        except psycopg.errors.InsufficientPrivilege:
            if attempt == 9:
                raise
            time.sleep(1)


def fingerprint() -> str:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "firstline.settings")
    import django

    django.setup()
    from firstline.conftest import _dataset_fingerprint

    return _dataset_fingerprint()


def template(url: str) -> str:
    """The loaded template's name; built (about a minute) if this fingerprint has none."""
    name = TEMPLATE_PREFIX + fingerprint()
    existing = {
        row[0]
        for row in delivery.sql(
            database_url(url, "postgres"),
            f"select datname from pg_database where datname like '{TEMPLATE_PREFIX}%'",
        )
    }
    for old in existing - {name}:
        admin(url, f'DROP DATABASE "{old}" WITH (FORCE)')
    if name in existing:
        return name
    # Loaded under another name and renamed last, so a load that dies half-way is never used.
    building = name + "_building"
    print(f"  building {name} (migrate + load_bundled, once per data fingerprint)", flush=True)
    started = time.monotonic()
    admin(url, f'CREATE DATABASE "{building}"')
    env = {**os.environ, "DATABASE_URL": database_url(url, building), "LOG_LEVEL": "WARNING"}
    delivery.manage(env, "migrate", "--noinput", "-v0")
    delivery.manage(env, "createcachetable")
    delivery.manage(env, "load_bundled", "-v0")
    admin(url, f'ALTER DATABASE "{building}" RENAME TO "{name}"')
    print(f"  built in {time.monotonic() - started:.0f}s", flush=True)
    return name


def delivery_rates(db: str, letters: int) -> dict[int, dict[str, float]]:
    delivery.VAR.mkdir(parents=True, exist_ok=True)
    rates: dict[int, dict[str, float]] = {}
    for workers in DELIVERY_WORKERS:
        label = f"scaleout-w{workers}"
        sink = delivery.Sink(label)
        try:
            rates[workers] = delivery.deliver(
                db,
                sink,
                workers=workers,
                seed_args=["--real", "--limit", str(letters)],
                label=label,
            )
        finally:
            sink.stop()
    return rates


def cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies of all cores since boot, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def lookup_rates(
    db: str, *, seconds: int, rounds: int, zip_count: int
) -> dict[int, tuple[float, float]]:
    """Median requests/s and the share of the cores busy, per number of web workers."""
    zips = [
        row[0]
        for row in delivery.sql(
            db,
            f"select code from geo_zcta where state_id is not null order by random() limit {zip_count}",
        )
    ]
    env = {
        **os.environ,
        "DATABASE_URL": db,
        "FIRSTLINE_ENV": "test",
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
    }
    rates: dict[int, tuple[float, float]] = {}
    with lookup.lookup_script(zips) as lua:
        for web in WEB_WORKERS:
            with lookup.gunicorn_server(env, web) as base:
                lookup.warm_up(base, zips, lua, passes=1, seconds=max(1, seconds // 3))
                busy0, total0 = cpu_times()
                runs = [lookup.run_wrk(base + "/", seconds, lua) for _ in range(rounds)]
                busy1, total1 = cpu_times()
            median = statistics.median(rps for rps, _ in runs)
            # How busy the machine's cores were under load: near 100 % means more workers can't help.
            busy = (busy1 - busy0) / max(total1 - total0, 1)
            rates[web] = (median, busy)
            print(
                f"  lookup, {web} web workers: {median:.0f} rps, cores {busy:.0%} busy (rounds "
                + ", ".join(f"{rps:.0f} rps p99 {p99:.0f} ms" for rps, p99 in runs)
                + ")",
                flush=True,
            )
    return rates


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url or not postgres_reachable(url):
        print("DATABASE_URL is not a reachable PostgreSQL: nothing to measure")
        print("RESULT skipped=1 reason=no-postgres")
        return
    os.chdir(BASE)
    started = time.monotonic()
    letters, seconds, rounds, zip_count = (200, 2, 1, 50) if args.quick else (2000, 10, 3, 300)
    tpl = template(url)
    admin(url, f'DROP DATABASE IF EXISTS "{SCRATCH}" WITH (FORCE)')
    admin(url, f'CREATE DATABASE "{SCRATCH}" TEMPLATE "{tpl}"')
    db = database_url(url, SCRATCH)
    try:
        print(f"== delivery: {letters} letters to legislators per configuration", flush=True)
        sent = delivery_rates(db, letters)
        print(f"== lookup: wrk, 50 connections, {rounds} x {seconds} s per configuration")
        served = lookup_rates(db, seconds=seconds, rounds=rounds, zip_count=zip_count)
    finally:
        admin(url, f'DROP DATABASE IF EXISTS "{SCRATCH}" WITH (FORCE)')
    rate = {w: sent[w]["steady_rate"] for w in DELIVERY_WORKERS}
    once = all(sent[w]["exactly_once"] for w in DELIVERY_WORKERS)
    print(f"  ({time.monotonic() - started:.0f}s in all)")
    print(
        f"RESULT delivery_w1={rate[1]:.0f} delivery_w2={rate[2]:.0f} delivery_w4={rate[4]:.0f} "
        f"ratio_w2={rate[2] / rate[1]:.2f} ratio_w4={rate[4] / rate[1]:.2f} "
        f"lookup_web2={served[2][0]:.0f} lookup_web4={served[4][0]:.0f} "
        f"ratio_web4={served[4][0] / served[2][0]:.2f} busy_web2={served[2][1]:.2f} "
        f"busy_web4={served[4][1]:.2f} exactly_once={once} letters={letters} "
        f"seconds={seconds} rounds={rounds} cores={len(os.sched_getaffinity(0))}"
    )


if __name__ == "__main__":
    main()
