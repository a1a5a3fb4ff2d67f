"""A purged resident message cannot be read back from the SQLite files."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

from firstline.testing import (
    BASE_DIR,
    clone_test_database,
    drop_cloned_database,
    env_for_database,
)

SCRIPT = """
import datetime, os, sys
import django
django.setup()
from django.utils import timezone
from firstline.mail.models import Email, EmailStatus
from firstline.residents.services import MESSAGE_KIND, resident_messages_purge
marker = sys.argv[1]
Email.objects.create(kind=MESSAGE_KIND, status=EmailStatus.SENT, mode="outbox",
                     to=marker + "@example.org", subject="s", text="I live at " + marker)
later = timezone.now() + datetime.timedelta(days=365)
print(resident_messages_purge(now=later))
"""


def test_purged_message_leaves_no_trace_in_the_database_files(django_db_setup, django_db_blocker):
    # Not transaction=True: its teardown flushes every table, and the browser tests
    # that run after it clone the session's national dataset.
    if connection.vendor != "sqlite":
        pytest.skip("secure_delete and the WAL checkpoint are SQLite's; PostgreSQL is VACUUM's")
    with django_db_blocker.unblock():
        db = clone_test_database("scrub")
        try:
            _purge_and_grep(db)
        finally:
            drop_cloned_database(db)


def _purge_and_grep(db: dict) -> None:
    marker = "Marker" + uuid.uuid4().hex
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, marker],
        cwd=BASE_DIR,
        env={**env_for_database(db), "DJANGO_SETTINGS_MODULE": "firstline.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "1"
    files = [Path(db["NAME"] + suffix) for suffix in ("", "-wal")]
    contents = b"".join(f.read_bytes() for f in files if f.exists())
    assert contents, "the clone's files were not found"
    assert marker.encode() not in contents
