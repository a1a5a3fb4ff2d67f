"""The demo's supervisor restarts a dying worker and stops when the web server stops."""

from __future__ import annotations

import sys
import time

from firstline.core.supervise import Supervised, supervise


def test_a_worker_that_dies_is_restarted_with_backoff():
    crashing = Supervised("worker", [sys.executable, "-c", "raise SystemExit(3)"])
    web = Supervised("web", [sys.executable, "-c", "import time; time.sleep(30)"], restart=False)
    for item in (crashing, web):
        item.start()
    lines: list[str] = []
    deadline = time.monotonic() + 4.5
    try:
        supervise([web, crashing], should_stop=lambda: time.monotonic() > deadline, log=lines.append,
                  poll_seconds=0.05)  # fmt: skip
    finally:
        web.stop()
        crashing.stop()
    # Exits at ~0 s, restarts after 1 s, then 2 s: at least two restarts in 4.5 s.
    assert crashing.restarts >= 2
    assert any("worker exited (3); restarting in 2 s" in line for line in lines)
    assert web.restarts == 0


def test_when_the_web_server_exits_everything_stops():
    web = Supervised("web", [sys.executable, "-c", "raise SystemExit(0)"], restart=False)
    worker = Supervised("worker", [sys.executable, "-c", "import time; time.sleep(30)"])
    for item in (web, worker):
        item.start()
    lines: list[str] = []
    started = time.monotonic()
    try:
        supervise([web, worker], should_stop=lambda: False, log=lines.append, poll_seconds=0.05)
    finally:
        worker.stop()
    assert time.monotonic() - started < 10
    assert lines[-1] == "web exited (0); stopping."
