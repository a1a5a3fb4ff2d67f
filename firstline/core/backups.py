"""Backups that are known to restore: ``pg_dump``, a restore into a new
database, and the row count of every table compared between the two.

The counts on the live side are taken in the same snapshot the dump reads
(``pg_export_snapshot`` in a REPEATABLE READ transaction, ``pg_dump
--snapshot``), so sign-ons arriving during the dump cannot make a good backup
look wrong. PostgreSQL only: SQLite deployments copy the file with
``sqlite3 .backup``. The per-table counts are plain SQL because they cover
every table, not only Django models (the cache table, django_migrations).
The PostgreSQL client tools (pg_dump, pg_restore, createdb, dropdb) must match
the server's major version.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connections, transaction


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class BackupCheck:
    dump: Path
    dump_bytes: int
    restored_name: str
    source_counts: dict[str, int]
    restored_counts: dict[str, int]
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def mismatches(self) -> dict[str, tuple[int | None, int | None]]:
        return counts_compare(self.source_counts, self.restored_counts)

    @property
    def rows(self) -> int:
        return sum(self.source_counts.values())


def counts_compare(
    source: dict[str, int], restored: dict[str, int]
) -> dict[str, tuple[int | None, int | None]]:
    """Tables whose counts differ, or that exist on one side only."""
    return {
        table: (source.get(table), restored.get(table))
        for table in sorted(set(source) | set(restored))
        if source.get(table) != restored.get(table)
    }


def table_counts(*, using: str) -> dict[str, int]:
    connection = connections[using]
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        counts = {}
        for table in tables:
            # Plain SQL, not for speed: it counts every table, models or not
            # (the cache table, django_migrations), which the ORM cannot.
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def _client_env(settings: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "PGHOST": settings["HOST"] or "127.0.0.1",
            "PGPORT": str(settings["PORT"] or 5432),
            "PGUSER": settings["USER"] or "",
            "PGPASSWORD": settings["PASSWORD"] or "",
        }
    )
    return env


def _run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise BackupError(f"{args[0]} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")


def _drop(name: str, env: dict[str, str]) -> None:
    """Drop a restored copy. Not ``--force``: that would terminate every other
    session on it, and a freshly restored database often has an autovacuum
    worker (a superuser's process) that a non-superuser may not terminate.
    Plain DROP DATABASE cancels autovacuum itself; our own connections are
    closed first; a moment's retry covers a worker still starting."""
    for attempt in range(20):
        try:
            _run(["dropdb", "--if-exists", name], env)
            return
        except BackupError as error:
            if "being accessed by other users" not in str(error) or attempt == 19:
                raise
            time.sleep(0.5)


def backup_dump(*, output_dir: Path, using: str = "default") -> tuple[Path, dict[str, int]]:
    """Dump the database (custom format) and count its tables in the dump's snapshot."""
    connection = connections[using]
    # pg_dump exists only for PostgreSQL; SQLite deployments copy the file.
    if connection.vendor != "postgresql":
        raise BackupError("backups with pg_dump need PostgreSQL (DATABASE_URL)")
    settings = connection.settings_dict
    output_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    dump = output_dir / f"{settings['NAME']}-{stamp}.dump"
    with transaction.atomic(using=using), connection.cursor() as cursor:
        # pg_dump --snapshot reads an exported snapshot, which the ORM cannot
        # make: the counts and the dump then see the same rows.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = table_counts(using=using)
        # The snapshot lives as long as this transaction: dump while it is open.
        _run(
            ["pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot}",
             f"--file={dump}", settings["NAME"]],
            _client_env(settings),
        )  # fmt: skip
    return dump, counts


def backup_restore(*, dump: Path, name: str, using: str = "default") -> str:
    """Restore ``dump`` into a new database ``name``; returns a connection alias for it."""
    settings = connections[using].settings_dict
    env = _client_env(settings)
    _run(["createdb", name], env)
    try:
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
              f"--dbname={name}", str(dump)], env)  # fmt: skip
    except BackupError:
        # A half-restored copy proves nothing and takes space: drop it.
        _drop(name, env)
        raise
    alias = f"restored_{uuid.uuid4().hex[:8]}"
    connections.databases[alias] = {**settings, "NAME": name}
    return alias


def backup_restored_drop(*, alias: str, using: str = "default") -> None:
    name = connections.databases[alias]["NAME"]
    connections[alias].close()
    del connections.databases[alias]
    _drop(name, _client_env(connections[using].settings_dict))


def backup_check(
    *, output_dir: Path, keep_restored: bool = False, using: str = "default"
) -> BackupCheck:
    """Dump, restore into ``<name>_restorecheck_<random>``, count both sides."""
    started = time.monotonic()
    dump, source = backup_dump(output_dir=output_dir, using=using)
    dumped = time.monotonic()
    name = f"{connections[using].settings_dict['NAME']}_restorecheck_{uuid.uuid4().hex[:6]}"
    alias = backup_restore(dump=dump, name=name, using=using)
    try:
        restored = table_counts(using=alias)
        finished = time.monotonic()
    finally:
        if not keep_restored:
            backup_restored_drop(alias=alias, using=using)
    return BackupCheck(
        dump=dump,
        dump_bytes=dump.stat().st_size,
        restored_name=name,
        source_counts=source,
        restored_counts=restored,
        seconds={"dump": dumped - started, "restore_and_count": finished - dumped},
    )
