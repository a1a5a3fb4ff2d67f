"""Database helpers that Django does not provide.

``prepared_cursor``: a cursor whose statements PostgreSQL parses and plans
once per connection (server-side prepared statements), for the few hot
statements that are complex and run on every request of their kind (the
sign-on's counter-and-store statement: its planning was 40 % of its
PostgreSQL CPU). Django turns psycopg's automatic preparing off for the
whole connection (``prepare_threshold=None``, for connection poolers), so
this opts in per statement. Behind a transaction-mode pooler that cannot
carry prepared statements (PgBouncer before 1.21, or without
``max_prepared_statements``), set ``DB_PREPARED_STATEMENTS=0``.

The cursor is wrapped like any Django cursor, so query logging,
``CaptureQueriesContext``, execute wrappers and error translation apply.
"""

from __future__ import annotations

from typing import Any

import psycopg
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections


class _PreparingCursor(psycopg.Cursor):  # type: ignore[type-arg]
    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
        return super().execute(query, params, prepare=True, **kwargs)


def prepared_cursor(using: str = DEFAULT_DB_ALIAS) -> Any:
    """A cursor (use it in ``with``) that prepares what it executes, on
    PostgreSQL when DB_PREPARED_STATEMENTS is on; a plain cursor otherwise."""
    connection = connections[using]
    if connection.vendor != "postgresql" or not settings.DB_PREPARED_STATEMENTS:
        return connection.cursor()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    raw: Any = _PreparingCursor(connection.connection)  # a DB-API cursor, as Django wraps
    if connection.queries_logged:
        return connection.make_debug_cursor(raw)
    return connection.make_cursor(raw)
