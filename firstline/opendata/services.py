"""Writing the download files: streamed to a temporary file, hashed, then swapped in.

A file is written next to its final name and moved over it with
``os.replace``, so a reader (a download in progress holds its open file)
never sees half a file, and two generators racing each leave a whole file.
Each file gets a sidecar ``<name>.meta.json`` with its provenance, size, row
count and SHA-256; the sidecar also records the file's mtime, so the view can
tell whether the file it opened is the one the sidecar describes.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import translation

from firstline.opendata.datasets import DATASETS, DataFile, Dataset
from firstline.opendata.storage import download_meta, meta_name, opendata_dir

PENDING_TIMEOUT = 3600  # a lost task stops blocking new ones after this long
CODE_LICENSE = "Apache-2.0"


class _HashingWriter:
    """A text sink that encodes to UTF-8, hashes and counts what it writes."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.sha256 = hashlib.sha256()
        self.size = 0
        self.rows = 0

    def write(self, text: str) -> int:
        data = text.encode()
        self.raw.write(data)
        self.sha256.update(data)
        self.size += len(data)
        return len(text)


@dataclass(frozen=True)
class Written:
    name: str
    rows: int
    size: int
    sha256: str


def _provenance(*, dataset: Dataset, file: DataFile, generated_at: datetime) -> dict[str, Any]:
    with translation.override("en"):
        as_of = dataset.as_of()
        return {
            "file": file.name,
            "dataset": dataset.slug,
            "title": str(dataset.title),
            "description": str(file.description),
            "format": file.format,
            "generated_at": generated_at.isoformat(timespec="seconds"),
            "as_of": as_of.isoformat() if as_of else None,
            "license": str(dataset.license),
            "code_license": CODE_LICENSE,
            "sources": [
                {"name": str(s.name), "as_of": s.as_of, "license": str(s.license), "url": s.url}
                for s in dataset.sources
            ],
            "columns": [{"name": c.name, "description": str(c.description)} for c in file.columns],
        }


def _write_csv(out: _HashingWriter, *, file: DataFile, rows: Iterable[Any]) -> int:
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.name for c in file.columns])
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count


def _write_geojson(out: _HashingWriter, *, rows: Iterable[Any], provenance: dict[str, Any]) -> int:
    """A FeatureCollection written feature by feature; provenance in a top-level ``metadata``."""
    out.write('{"type":"FeatureCollection","features":[\n')
    count = 0
    for feature in rows:
        out.write((",\n" if count else "") + json.dumps(feature, separators=(",", ":")))
        count += 1
    metadata = {**provenance, "rows": count}
    out.write("\n],\n" + '"metadata":' + json.dumps(metadata, indent=1) + "}\n")
    return count


def _replace[T](
    directory: Path, name: str, write: Callable[[IO[bytes]], T]
) -> tuple[T, os.stat_result]:
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as raw:
            result = write(raw)
        os.chmod(tmp, 0o644)
        stat = os.stat(tmp)
        os.replace(tmp, directory / name)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return result, stat


def download_file_generate(*, dataset: Dataset, file: DataFile) -> Written:
    """Write one file and its sidecar; return what was written."""
    directory = opendata_dir()
    provenance = _provenance(dataset=dataset, file=file, generated_at=datetime.now(UTC))

    def write(raw: IO[bytes]) -> _HashingWriter:
        out = _HashingWriter(raw)
        rows = file.rows()
        if file.format == "geojson":
            out.rows = _write_geojson(out, rows=rows, provenance=provenance)
        else:
            out.rows = _write_csv(out, file=file, rows=rows)
        return out

    out, stat = _replace(directory, file.name, write)
    meta = {
        **provenance,
        "rows": out.rows,
        "bytes": out.size,
        "sha256": out.sha256.hexdigest(),
        "mtime_ns": stat.st_mtime_ns,
    }
    _replace(
        directory, meta_name(file.name), lambda raw: raw.write(json.dumps(meta, indent=1).encode())
    )
    return Written(name=file.name, rows=out.rows, size=out.size, sha256=meta["sha256"])


def download_generate(*, slug: str) -> list[Written]:
    dataset = DATASETS[slug]
    return [download_file_generate(dataset=dataset, file=f) for f in dataset.files]


def _pending_key(slug: str) -> str:
    return f"opendata:pending:{slug}"


def downloads_schedule(*, slugs: Iterable[str]) -> list[str]:
    """Enqueue a regeneration of these datasets after the current commit, once per pending run.

    A data load sends many change signals; while a run is queued and not yet
    started, further changes are already covered by it, so they enqueue
    nothing (the task clears its mark when it starts, so a change during a run
    enqueues the next one).
    """
    if not settings.OPENDATA_AUTOGENERATE:
        return []
    wanted = [s for s in dict.fromkeys(slugs) if s in DATASETS]

    def enqueue() -> None:
        from firstline.opendata.tasks import downloads_generate_task

        fresh = [s for s in wanted if cache.add(_pending_key(s), 1, PENDING_TIMEOUT)]
        if fresh:
            downloads_generate_task.enqueue(slugs=fresh)

    transaction.on_commit(enqueue)
    return wanted


def downloads_generate(*, slugs: Iterable[str]) -> list[Written]:
    written: list[Written] = []
    for slug in slugs:
        cache.delete(_pending_key(slug))
        written += download_generate(slug=slug)
    return written


def downloads_stale(*, max_age_hours: int) -> list[str]:
    """Datasets with a file never generated, or generated longer ago than ``max_age_hours``."""
    now = datetime.now(UTC)
    stale = []
    for slug, dataset in DATASETS.items():
        for file in dataset.files:
            meta = download_meta(name=file.name)
            if (
                meta is None
                or (now - datetime.fromisoformat(meta["generated_at"])).total_seconds()
                > max_age_hours * 3600
            ):
                stale.append(slug)
                break
    return stale
