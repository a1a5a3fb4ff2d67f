"""The shared machinery of every ``import_<source>`` command.

An importer reads one upstream file, turns it into plain dicts keyed by a
natural key, and upserts them with :func:`bulk_upsert`, which saves only what
changed and counts inserts, updates and no-ops. Every file is written in one
transaction; a :class:`ImportFailed` anywhere rolls the whole file back and
names the file, the line or record, and the field.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeVar

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections, models, router, transaction

M = TypeVar("M", bound=models.Model)
T = TypeVar("T")


class ImportFailed(CommandError):
    """Malformed input. The message names the file, the line or record, and the field."""

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | str | None = None,
        field: str | None = None,
    ) -> None:
        where = []
        if file is not None:
            where.append(str(file))
        if line is not None:
            where.append(f"line {line}" if isinstance(line, int) else str(line))
        if field is not None:
            where.append(f"field {field!r}")
        self.file, self.line, self.field = file, line, field
        super().__init__(f"{': '.join([', '.join(where), message]) if where else message}")


class DryRunRollback(Exception):
    """Raised inside the transaction to undo a --dry-run."""


@dataclass
class Counts:
    inserted: int = 0
    updated: int = 0
    noop: int = 0
    deleted: int = 0
    skipped: int = 0
    notes: list[str] = field(default_factory=list)

    def add(self, other: Counts) -> Counts:
        self.inserted += other.inserted
        self.updated += other.updated
        self.noop += other.noop
        self.deleted += other.deleted
        self.skipped += other.skipped
        self.notes.extend(other.notes)
        return self

    @property
    def changed(self) -> bool:
        return bool(self.inserted or self.updated or self.deleted)

    def summary(self) -> str:
        parts = [f"inserted={self.inserted}", f"updated={self.updated}", f"noop={self.noop}"]
        if self.deleted:
            parts.append(f"ended={self.deleted}")
        if self.skipped:
            parts.append(f"skipped={self.skipped}")
        return " ".join(parts)


def progress(
    items: Iterable[T], *, label: str, total: int | None = None, stream: IO[str] | None = None
) -> Iterator[T]:
    """A dependency-free progress bar on stderr; silent when stderr is not a terminal."""
    out = stream or sys.stderr
    interactive = hasattr(out, "isatty") and out.isatty()
    if total is None and isinstance(items, Sequence):
        total = len(items)
    started = last = time.monotonic()
    n = 0
    for n, item in enumerate(items, 1):
        yield item
        now = time.monotonic()
        if interactive and now - last > 0.2:
            last = now
            if total:
                filled = int(30 * n / total)
                out.write(f"\r{label:<24} [{'#' * filled}{'.' * (30 - filled)}] {n}/{total}")
            else:
                out.write(f"\r{label:<24} {n}")
            out.flush()
    if interactive:
        out.write(f"\r{label:<24} done: {n} in {time.monotonic() - started:.1f}s{' ' * 20}\n")
        out.flush()


def same_value(a: Any, b: Any) -> bool:
    """Equal as stored values: floats within 1e-9, None only equal to None."""
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is b
        return abs(float(a) - float(b)) < 1e-9
    return bool(a == b)


def bulk_upsert(
    model: type[M],
    rows: Iterable[dict[str, Any]],
    *,
    key: Sequence[str],
    fields: Sequence[str],
    queryset: models.QuerySet[M] | None = None,
    batch_size: int = 2000,
) -> tuple[Counts, dict[tuple[Any, ...], int]]:
    """Insert new rows and update changed ones, matched on the natural ``key``.

    ``rows`` are dicts holding every key and field (foreign keys as ``<name>_id``).
    Returns the counts and a map from natural key to primary key for every row
    seen, so callers can link children without another query. Rows sharing a
    key within one call are an error in the input, not silently merged.
    """
    qs = queryset if queryset is not None else model._default_manager.all()
    existing: dict[tuple[Any, ...], dict[str, Any]] = {}
    for values in qs.values("pk", *key, *fields).iterator(chunk_size=5000):
        existing[tuple(values[k] for k in key)] = values
    counts = Counts()
    to_create: list[M] = []
    to_update: list[M] = []
    pks: dict[tuple[Any, ...], int] = {}
    seen: set[tuple[Any, ...]] = set()
    for row in rows:
        natural = tuple(row[k] for k in key)
        if natural in seen:
            raise ImportFailed(f"duplicate natural key {natural!r} for {model.__name__}")
        seen.add(natural)
        current = existing.get(natural)
        if current is None:
            to_create.append(model(**{k: row[k] for k in key}, **{f: row[f] for f in fields}))
            continue
        pks[natural] = current["pk"]
        changed = [f for f in fields if not same_value(current[f], row[f])]
        if changed:
            obj = model(pk=current["pk"], **{k: row[k] for k in key}, **{f: row[f] for f in fields})
            to_update.append(obj)
            counts.updated += 1
        else:
            counts.noop += 1
    for start in range(0, len(to_create), batch_size):
        batch = to_create[start : start + batch_size]
        _insert_many(model, batch)
        counts.inserted += len(batch)
    if to_update:
        model._default_manager.bulk_update(to_update, list(fields), batch_size=batch_size)
    if to_create:
        # The raw insert returns no ids: read them back once, by natural key.
        for values in qs.values("pk", *key).iterator(chunk_size=5000):
            pks.setdefault(tuple(values[k] for k in key), values["pk"])
    return counts, pks


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or field.column is None:
        raise TypeError(f"{model.__name__}.{name} has no database column")
    return field.column


def insert_rows(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Plain multi-row INSERT with ``executemany`` (no signals, no pks returned).

    The one raw write of the importers: ``bulk_create`` spends most of its time
    compiling SQL per object, about 8x longer for the national load's ~100k rows
    (docs/officials.md has the measurement), and the load has a 60 s budget.
    """
    if not rows:
        return
    conn = connections[router.db_for_write(model)]
    quote = conn.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(_column(model, c)) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 -- quoted _meta names, values bound
    with conn.cursor() as cursor:
        for start in range(0, len(rows), 10_000):
            cursor.executemany(sql, rows[start : start + 10_000])


def _insert_many(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """Insert model instances through :func:`insert_rows`, preparing each value as
    ``bulk_create`` does (``pre_save``, ``get_db_prep_save``)."""
    if not objs:
        return
    conn = connections[router.db_for_write(model)]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    rows = [tuple(f.get_db_prep_save(f.pre_save(obj, True), conn) for f in fields) for obj in objs]
    insert_rows(model, [f.name for f in fields], rows)


def links_sync(
    model: type[models.Model],
    pairs: set[tuple[int, int]],
    *,
    fields: tuple[str, str],
    scope: models.QuerySet[Any],
) -> Counts:
    """Make a two-key link table hold exactly ``pairs`` within ``scope``; stale links are deleted."""
    counts = Counts()
    existing: dict[tuple[int, int], int] = {
        (a, b): pk for pk, a, b in scope.values_list("pk", *fields).iterator(chunk_size=5000)
    }
    new = sorted(pairs - existing.keys())
    stale = [pk for key, pk in existing.items() if key not in pairs]
    insert_rows(model, fields, new)
    for start in range(0, len(stale), 500):
        model._default_manager.filter(pk__in=stale[start : start + 500]).delete()
    counts.inserted = len(new)
    counts.noop = len(existing) - len(stale)
    counts.deleted = len(stale)
    return counts


class ImportCommand(BaseCommand):
    """Base for ``import_<source>``: --dry-run, one transaction, counts on stdout."""

    label = "import"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Read and validate, report counts, change nothing.",
        )

    def run_import(self, **options: Any) -> Counts:  # pragma: no cover - abstract
        raise NotImplementedError

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run = options["dry_run"]
        started = time.monotonic()
        counts = Counts()
        try:
            with transaction.atomic():
                counts = self.run_import(**options)
                if dry_run:
                    raise DryRunRollback
        except DryRunRollback:
            pass
        elapsed = time.monotonic() - started
        prefix = "[dry-run] " if dry_run else ""
        self.stdout.write(f"{prefix}{self.label}: {counts.summary()} ({elapsed:.1f}s)")
        for note in counts.notes:
            self.stdout.write(f"  {note}")
