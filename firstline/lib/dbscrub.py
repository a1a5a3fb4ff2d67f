"""Make deleted private rows unrecoverable from the database files.

On SQLite a DELETE only marks pages free, and in WAL mode the old page images
stay in the ``-wal`` file until a checkpoint copies them back and the log is
reset. ``secure_delete`` (set for every connection in settings) zeroes freed
content; a TRUNCATE checkpoint after a purge then removes the old images from
the log. PostgreSQL reuses dead tuples through VACUUM, which autovacuum runs;
its WAL is the operator's to protect (docs/privacy.md).
"""

from __future__ import annotations

from django.db import connection


def db_scrub_after_purge() -> None:
    """Call after deleting private rows, outside any transaction that holds them."""
    # The one vendor branch this needs: the checkpoint is an SQLite pragma.
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
