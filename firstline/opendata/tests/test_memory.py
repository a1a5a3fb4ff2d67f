"""Generating the national officials files keeps memory flat: well below the file's own size.

tracemalloc counts every Python allocation (rows, query results, the csv
writer's buffers). The same rows held whole in memory, as a list of rows and
the CSV text, take several times the file size; the streaming writer's peak
must stay under a quarter of the file, a bound the whole-file version exceeds
(measured below, in the same test, so the comparison is honest).
"""

from __future__ import annotations

import csv
import gc
import io
import tracemalloc
from pathlib import Path

import pytest

from firstline.opendata.datasets import FILES
from firstline.opendata.services import download_file_generate

pytestmark = pytest.mark.django_db


def _peak(run: object) -> tuple[int, object]:
    gc.collect()
    tracemalloc.start()
    try:
        result = run()  # type: ignore[operator]
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, result


def _whole_file_in_memory(name: str) -> str:
    _dataset, file = FILES[name]
    rows = list(file.rows())
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.name for c in file.columns])
    writer.writerows(rows)
    return buffer.getvalue()


@pytest.mark.parametrize("name", ["officials.csv", "contact_points.csv"])
def test_streaming_generation_peak_is_a_fraction_of_the_file(own_dir: Path, name: str) -> None:
    dataset, file = FILES[name]
    download_file_generate(dataset=dataset, file=file)  # warm: imports, query compilation
    streaming_peak, written = _peak(lambda: download_file_generate(dataset=dataset, file=file))
    size = written.size  # type: ignore[attr-defined]
    whole_peak, text = _peak(lambda: _whole_file_in_memory(name))
    assert len(text.encode()) == size  # the comparison builds the same bytes
    bound = size // 4
    print(
        f"\n{name}: {written.rows} rows, {size / 1e6:.1f} MB; "  # type: ignore[attr-defined]
        f"peak streaming {streaming_peak / 1e6:.2f} MB, whole-file {whole_peak / 1e6:.1f} MB, "
        f"bound {bound / 1e6:.1f} MB"
    )
    assert size > 5_000_000  # the national file, not a fixture
    assert streaming_peak < bound < whole_peak
