"""Import benchmark: the national ``load_bundled`` into a fresh SQLite database.

    .venv/bin/python bench/import.py           # every bundled step, then a second (no-op) run
    .venv/bin/python bench/import.py --quick   # < 60 s: the geography steps only, loaded twice

Each load runs as its own ``manage.py`` process with ``SQLITE_PATH`` pointing
into a temporary folder (after ``migrate``), so the figures are what
``make data`` costs: wall time, and peak RSS of that process from
``os.wait4``'s rusage. Per-step times are read from each importer's summary
line. The baseline, measured in the same run, is raw ``sqlite3.executemany``
of as many rows as the load wrote, into an 8-column table with the same
pragmas, in one transaction: the floor any importer could reach, so the ratio
says what Django, parsing and validation cost on top. Goal: full load
<= 60 s and <= 1 GB. Last line: ``RESULT key=value ...``.
"""

from __future__ import annotations

import argparse
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
PY = sys.executable
GEO_STEPS = "import_census,import_zctas"
# An ImportCommand summary: "<label>: inserted=… updated=… noop=… (1.2s)"; labels may
# carry a note in parentheses ("import_ice287g (pending, as of …)").
SUMMARY = re.compile(r"^(?:\[dry-run\] )?([a-z_0-9]+)(?: \([^)]*\))?: (.*)\((\d+(?:\.\d+)?)s\)$")
COUNT = re.compile(r"\b(inserted|updated|noop)=(\d+)")


def run(args: list[str], env: dict[str, str]) -> float:
    """Run ``manage.py args`` (set-up, not measured for memory); return wall seconds."""
    started = time.monotonic()
    proc = subprocess.run(
        [PY, "manage.py", *args], cwd=BASE, env=env, capture_output=True, text=True
    )
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"manage.py {' '.join(args)} failed with {proc.returncode}")
    return time.monotonic() - started


def run_measured(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Like :func:`run`, but reaps the child with ``os.wait4`` to read its own peak RSS."""
    with tempfile.TemporaryFile("w+") as out_file, tempfile.TemporaryFile("w+") as err_file:
        started = time.monotonic()
        proc = subprocess.Popen(
            [PY, "manage.py", *args], cwd=BASE, env=env, stdout=out_file, stderr=err_file
        )
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - started
        code = os.waitstatus_to_exitcode(status)
        proc.returncode = code  # already reaped; keep Popen from waiting again
        out_file.seek(0)
        err_file.seek(0)
        out = out_file.read()
        if code != 0:
            sys.stderr.write(out + err_file.read())
            raise SystemExit(f"manage.py {' '.join(args)} failed with {code}")
    return wall, usage.ru_maxrss / 1024, out  # ru_maxrss is in KiB on Linux


def rows_written(db: Path) -> int:
    con = sqlite3.connect(db)
    tables = [
        name
        for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type='table'")
        if name.split("_", 1)[0] in {"geo", "officials", "policies"}
    ]
    total = sum(con.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in tables)
    con.close()
    return total


def baseline(rows: int, folder: Path) -> float:
    """Seconds for raw sqlite3 to insert ``rows`` 8-column rows in one transaction."""
    con = sqlite3.connect(folder / "baseline.sqlite3", isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute(
        "CREATE TABLE t (id INTEGER PRIMARY KEY, code TEXT UNIQUE, name TEXT, a INTEGER, b REAL, c REAL, d REAL, e INTEGER)"
    )
    data = [
        (f"{i:09d}", f"Place number {i}", i * 7, i / 3, -i / 7, i / 11, i % 2) for i in range(rows)
    ]
    started = time.monotonic()
    con.execute("BEGIN")
    con.executemany("INSERT INTO t (code, name, a, b, c, d, e) VALUES (?, ?, ?, ?, ?, ?, ?)", data)
    con.execute("COMMIT")
    elapsed = time.monotonic() - started
    con.close()
    return elapsed


def steps(out: str) -> list[tuple[str, int, int, int, float]]:
    found = []
    for line in out.splitlines():
        match = SUMMARY.match(line.strip())
        if match and match.group(1) != "load_bundled":
            name, middle, secs = match.groups()
            counts = {key: int(value) for key, value in COUNT.findall(middle)}
            found.append(
                (
                    name,
                    counts.get("inserted", 0),
                    counts.get("updated", 0),
                    counts.get("noop", 0),
                    float(secs),
                )
            )
    return found


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick", action="store_true", help="geography steps only, loaded twice (< 60 s)"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="firstline-bench-import-") as tmp:
        folder = Path(tmp)
        db = folder / "bench.sqlite3"
        env = {**os.environ, "SQLITE_PATH": str(db), "FIRSTLINE_VAR_DIR": str(folder / "var")}
        env.pop("DATABASE_URL", None)
        migrate_s = run(["migrate", "--noinput", "-v0"], env)
        run(["createcachetable"], env)
        load = ["load_bundled"] + (["--only", GEO_STEPS] if args.quick else [])
        wall, rss, out = run_measured(load, env)
        per_step = steps(out)
        rows = rows_written(db)
        print(f"migrate: {migrate_s:.1f}s")
        print(
            f"{' '.join(load)}: {wall:.1f}s wall, peak RSS {rss:.0f} MB, {rows} rows in geo/officials/policies tables"
        )
        for name, ins, upd, noop, secs in per_step:
            print(f"  {name:<28} {secs:6.1f}s  inserted={ins} updated={upd} noop={noop}")
        # The second run is what proves the load idempotent; --quick makes it too.
        again_s, again_rss, again_out = run_measured(load, env)
        again_steps = steps(again_out)
        again_noop = bool(again_steps) and all(
            ins == 0 and upd == 0 for _n, ins, upd, _noop, _s in again_steps
        )
        print(f"second run: {again_s:.1f}s, peak RSS {again_rss:.0f} MB, only no-ops: {again_noop}")
        base_s = baseline(rows, folder)
        ratio = wall / base_s if base_s else float("nan")
        print(
            f"baseline: raw sqlite3 executemany of {rows} rows in {base_s:.2f}s; load/baseline = {ratio:.0f}x"
        )
        by_name: dict[str, float] = {}
        for name, *_rest, secs in per_step:
            by_name[name] = by_name.get(name, 0.0) + secs
        step_kv = " ".join(f"{name}_s={secs:.1f}" for name, secs in by_name.items())
        # What the summaries do not cover: process start-up, app loading, per-step set-up.
        print(f"  {'(start-up and between steps)':<28} {wall - sum(by_name.values()):6.1f}s")
        second = f"second_run_s={again_s:.1f} second_run_noop={str(again_noop).lower()}"
        print(
            f"RESULT mode={'quick' if args.quick else 'full'} load_s={wall:.1f} peak_rss_mb={rss:.0f}"
            f" rows={rows} baseline_s={base_s:.2f} ratio={ratio:.0f} {second}"
            f" goal_time={'ok' if wall <= 60 else 'over'}"
            f" goal_memory={'ok' if rss <= 1024 else 'over'} {step_kv}"
        )


if __name__ == "__main__":
    main()
