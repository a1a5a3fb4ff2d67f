"""Benchmark: the national scorecard recompute and the home page with its map.

Runs against the configured database (``make data`` first; or SQLITE_PATH /
DATABASE_URL). Figures are medians; the baseline (loading the same rows the
engine loads, without scoring) is measured in the same run so the ratio is
meaningful on a noisy machine.

    .venv/bin/python bench/scorecard.py [--quick]

Ends with one line: ``RESULT key=value ...``.
"""

from __future__ import annotations

import argparse
import gzip
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "firstline.settings")

import django

django.setup()

from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from firstline.geo.models import Jurisdiction  # noqa: E402
from firstline.policies import map as national_map  # noqa: E402
from firstline.policies import scorecard  # noqa: E402
from firstline.policies.models import PolicyRecord  # noqa: E402


def timed(fn: Callable[[], object], runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def baseline() -> int:
    """What any national recompute must do at least: read every jurisdiction and record row."""
    units = list(Jurisdiction.objects.values_list(*scorecard.UNIT_FIELDS).iterator(chunk_size=5000))
    records = list(
        PolicyRecord.objects.filter(jurisdiction__isnull=False)
        .values_list(*scorecard.RECORD_FIELDS)
        .iterator(chunk_size=5000)
    )
    return len(units) + len(records)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="One run each instead of five.")
    args = parser.parse_args()
    runs = 1 if args.quick else 5
    if not PolicyRecord.objects.exists() or not Jurisdiction.objects.exists():
        print("no data: run `make data` (or point SQLITE_PATH/DATABASE_URL at a loaded database)")
        return 1

    base_s, _rows = timed(baseline, runs)
    compute_s, cards = timed(lambda: scorecard.scorecards_compute(), runs)
    recompute_s, _count = timed(scorecard.scorecards_recompute_all, runs)
    n = len(cards)  # type: ignore[arg-type]
    print(f"jurisdictions scored: {n} (records {PolicyRecord.objects.count()})")
    print(f"baseline (load rows only): {base_s:.3f} s")
    print(f"national compute (in memory): {compute_s:.3f} s ({compute_s / base_s:.1f}x baseline)")
    print(f"national recompute (compute + row write): {recompute_s:.3f} s  goal <= 10 s")

    setup_test_environment()
    client = Client()
    national_map._memo.clear()
    scorecard.map_invalidate()
    start = time.perf_counter()
    response = client.get("/en/", HTTP_ACCEPT_ENCODING="gzip")
    cold_s = time.perf_counter() - start
    assert response.status_code == 200, response.status_code
    gz = len(response.content)
    raw = (
        len(gzip.decompress(response.content)) if response.get("Content-Encoding") == "gzip" else gz
    )
    warm_s, _ = timed(lambda: client.get("/en/", HTTP_ACCEPT_ENCODING="gzip"), max(3, runs))
    print(f"home page: {raw / 1024:.0f} KB raw, {gz / 1024:.0f} KB gzip (limit 600 KB)")
    print(
        f"home page render: cold (map re-rendered) {cold_s * 1000:.0f} ms, warm {warm_s * 1000:.0f} ms"
    )
    ok = recompute_s <= 10 and gz < 600 * 1024
    print(
        f"RESULT jurisdictions={n} baseline_s={base_s:.3f} compute_s={compute_s:.3f} recompute_s={recompute_s:.3f} "
        f"ratio_vs_baseline={compute_s / base_s:.2f} home_gzip_kb={gz / 1024:.0f} home_raw_kb={raw / 1024:.0f} "
        f"home_cold_ms={cold_s * 1000:.0f} home_warm_ms={warm_s * 1000:.0f} ok={int(ok)}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
