"""Keep the demo's processes running: restart the task worker and the periodic
loop when they exit, with backoff; stop everything when the web server does.

Production uses a real supervisor (systemd units in docs/deploy/, with
Restart=always); this is the same policy for ``make demo``.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field

MAX_DELAY_SECONDS = 30.0
# A process that ran this long before exiting was healthy: restart it at once.
HEALTHY_AFTER_SECONDS = 60.0


@dataclass
class Supervised:
    name: str
    command: list[str]
    restart: bool = True
    process: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    started_at: float = 0.0
    delay: float = field(default=1.0)
    due_at: float | None = None
    cwd: str | None = None

    def start(self, *, cwd: str | None = None) -> None:
        self.cwd = cwd or self.cwd
        self.process = subprocess.Popen(self.command, cwd=self.cwd)
        self.started_at = time.monotonic()
        self.due_at = None

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()


def supervise(
    items: list[Supervised],
    *,
    should_stop: Callable[[], bool],
    log: Callable[[str], object],
    poll_seconds: float = 0.5,
) -> None:
    """Run until ``should_stop()`` or a process that must not be restarted exits."""
    while not should_stop():
        now = time.monotonic()
        for item in items:
            if item.process is None:
                continue
            if item.due_at is not None:
                if now >= item.due_at:
                    item.restarts += 1
                    log(f"{item.name}: restarting (restart {item.restarts})")
                    item.start()
                continue
            code = item.process.poll()
            if code is None:
                continue
            if not item.restart:
                log(f"{item.name} exited ({code}); stopping.")
                return
            if now - item.started_at > HEALTHY_AFTER_SECONDS:
                item.delay = 1.0
            log(f"{item.name} exited ({code}); restarting in {item.delay:.0f} s")
            item.due_at = now + item.delay
            item.delay = min(item.delay * 2, MAX_DELAY_SECONDS)
        time.sleep(poll_seconds)
