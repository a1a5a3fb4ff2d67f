"""Test helpers shared by every app: the production server, the SMTP sink, the browser.

These start real parts: gunicorn and ``db_worker`` against a copy of the test
database, an aiosmtpd server on loopback, and Debian's Chromium via Playwright.
"""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections

BASE_DIR = Path(settings.BASE_DIR)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- SMTP sink ---------------------------------------------------------------------


@dataclass
class SmtpSink:
    """A real aiosmtpd server on loopback that keeps what it receives."""

    host: str = "127.0.0.1"
    port: int = 0
    messages: list[Message] = field(default_factory=list)
    refuse: bool = False  # while True, answer 451 (a temporary failure) to every message
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse:
            return "451 4.3.0 Try again later"
        msg = message_from_bytes(envelope.content)
        msg["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        msg["X-Envelope-From"] = envelope.mail_from
        with self._lock:
            self.messages.append(msg)
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 30.0) -> list[Message]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.05)
        raise AssertionError(f"expected {count} messages, got {len(self.messages)}")


@contextmanager
def smtp_sink() -> Iterator[SmtpSink]:
    from aiosmtpd.controller import Controller

    sink = SmtpSink(port=free_port())
    controller = Controller(sink, hostname=sink.host, port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


def message_text(msg: Message) -> str:
    """The text/plain body of a received message, decoded."""
    for part in msg.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode(part.get_content_charset() or "utf-8")
    raise AssertionError("no text/plain part")


# --- A copy of the test database for out-of-process servers --------------------------


def clone_test_database(label: str) -> dict[str, Any]:
    """Copy the (already loaded, committed) test database; return its settings dict.

    SQLite: an online backup of the in-memory or file test database into a file.
    PostgreSQL: CREATE DATABASE ... TEMPLATE, which needs the template idle.
    """
    db = dict(connections["default"].settings_dict)
    if db["ENGINE"].endswith("sqlite3"):
        target_dir = BASE_DIR / "var" / "test-clones"
        target_dir.mkdir(parents=True, exist_ok=True)
        target = target_dir / f"{label}-{uuid.uuid4().hex[:8]}.sqlite3"
        connection.ensure_connection()
        dest = sqlite3.connect(target)
        connection.connection.backup(dest)
        dest.close()
        db["NAME"] = str(target)
        return db
    name = f"{db['NAME']}_{label}_{uuid.uuid4().hex[:6]}"
    connections.close_all()
    with connection._nodb_cursor() as cursor:
        # A template must be idle. Connections opened by other threads (a
        # task run inline, an earlier live server) are not closed by
        # close_all(), so end them here; the test suite reconnects on demand.
        _retry_while_in_use(cursor, db["NAME"], f'CREATE DATABASE "{name}" TEMPLATE "{db["NAME"]}"')
    db["NAME"] = name
    return db


def _retry_while_in_use(cursor: Any, in_use: str, statement: str) -> None:
    """Run a CREATE ... TEMPLATE or DROP that needs `in_use` idle.

    Only our own client sessions are ended: a non-superuser may not terminate
    the autovacuum worker a freshly loaded database starts, and need not,
    because CREATE and DROP DATABASE cancel autovacuum themselves.
    """
    for attempt in range(10):
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()"
            " AND usename = current_user AND backend_type = 'client backend'",
            [in_use],
        )
        try:
            cursor.execute(statement)
            return
        except Exception as exc:
            if "being accessed by other users" not in str(exc) or attempt == 9:
                raise
            time.sleep(0.5)


def drop_cloned_database(db: dict[str, Any]) -> None:
    if db["ENGINE"].endswith("sqlite3"):
        for suffix in ("", "-wal", "-shm"):
            Path(db["NAME"] + suffix).unlink(missing_ok=True)
        return
    for alias in list(connections.databases):
        if connections.databases[alias].get("NAME") == db["NAME"]:
            connections[alias].close()
    with connection._nodb_cursor() as cursor:
        _retry_while_in_use(cursor, db["NAME"], f'DROP DATABASE IF EXISTS "{db["NAME"]}"')


def env_for_database(db: dict[str, Any]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.pop("DATABASE_URL", None)
    if db["ENGINE"].endswith("sqlite3"):
        env["SQLITE_PATH"] = db["NAME"]
    else:
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        )
    return env


@dataclass
class AppServer:
    """gunicorn (sync workers, as in production) plus one db_worker, on a cloned DB."""

    url: str
    db: dict[str, Any]
    env: dict[str, str]
    web: subprocess.Popen[bytes]
    worker: subprocess.Popen[bytes] | None
    alias: str

    def manage(self, *args: str, timeout: float = 120) -> str:
        out = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=BASE_DIR,
            env=self.env,
            capture_output=True,
            timeout=timeout,
            check=True,
        )
        return out.stdout.decode()

    def start_worker(self) -> subprocess.Popen[bytes]:
        self.worker = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--queue-name",
                "*",
                "--interval",
                "0.2",
                "--no-reload",
            ],
            cwd=BASE_DIR,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        return self.worker


def _wait_http(url: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"server exited with {proc.returncode}: {proc.stderr.read().decode() if proc.stderr else ''}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (loopback)
                return
        except Exception:
            time.sleep(0.2)
    raise RuntimeError(f"server at {url} did not start")


@contextmanager
def app_server(
    label: str = "e2e",
    *,
    extra_env: dict[str, str] | None = None,
    workers: int = 2,
    with_worker: bool = True,
) -> Iterator[AppServer]:
    db = clone_test_database(label)
    env = env_for_database(db)
    env.update({"FIRSTLINE_ENV": "test", "DEBUG": "0", "STATIC_MANIFEST": "0"})
    env.update(extra_env or {})
    port = free_port()
    web = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "firstline.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--log-level",
            "warning",
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    alias = f"clone_{uuid.uuid4().hex[:6]}"
    connections.databases[alias] = {**connections["default"].settings_dict, "NAME": db["NAME"]}
    server = AppServer(
        url=f"http://127.0.0.1:{port}", db=db, env=env, web=web, worker=None, alias=alias
    )
    try:
        _wait_http(server.url + "/en/privacy/", web)
        if with_worker:
            server.start_worker()
        yield server
    finally:
        for proc in (server.worker, web):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
        connections[alias].close()
        del connections.databases[alias]
        drop_cloned_database(db)


def chromium_available() -> bool:
    return shutil.which(CHROMIUM) is not None or Path(CHROMIUM).exists()
