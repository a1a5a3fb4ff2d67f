"""No IP address reaches a log line: the filter, and gunicorn as we run it."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time

import pytest
from django.conf import settings

from firstline.lib.logfilters import REDACTED, RedactAddresses, redact_addresses
from firstline.testing import free_port


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Invalid request from ip=127.0.0.1: bad", f"Invalid request from ip={REDACTED}: bad"),
        ("peer 2001:db8::1 closed", f"peer {REDACTED} closed"),
        ("mapped ::ffff:10.0.0.1", f"mapped {REDACTED}"),
        ("[2001:db8::1]:8000", f"[{REDACTED}]:8000"),
        ("at 12:30 the job ran", "at 12:30 the job ran"),
        ("Django 6.1.3 and /en/zip/77002", "Django 6.1.3 and /en/zip/77002"),
    ],
)
def test_redact_addresses(text, expected):
    assert redact_addresses(text) == expected


def test_filter_rewrites_message_arguments_and_tracebacks():
    try:
        raise ConnectionError("reset by 192.0.2.7")
    except ConnectionError:
        record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "client %s said %s", ("198.51.100.4", "hi"), None
        )
        record.exc_info = sys.exc_info()
    assert RedactAddresses().filter(record)
    assert record.getMessage() == f"client {REDACTED} said hi"
    assert "192.0.2.7" not in record.exc_text and REDACTED in record.exc_text


def test_gunicorn_error_log_has_no_client_address():
    port = free_port()
    web = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "firstline.wsgi:application", "--bind",
         f"127.0.0.1:{port}", "--workers", "1", "--log-level", "debug"],
        cwd=settings.BASE_DIR, env={**_env()}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        for _ in range(200):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                    sock.sendall(b"NOT A REQUEST\r\n\r\n")
                    sock.recv(1000)
                break
            except OSError:
                time.sleep(0.1)
        time.sleep(0.5)
    finally:
        web.terminate()
        out, err = web.communicate(timeout=20)
    log = (out + err).decode()
    assert "Invalid request from ip=" in log  # gunicorn did log the bad request...
    assert "ip=127.0.0.1" not in log  # ...without the client's address
    assert f"ip={REDACTED}" in log


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update({"FIRSTLINE_ENV": "test", "DEBUG": "0"})
    env.pop("DATABASE_URL", None)
    return env
