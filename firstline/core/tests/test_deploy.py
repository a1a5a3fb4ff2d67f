"""The documented production configuration: `check --deploy` is clean, and a
misconfigured web process refuses to start instead of serving."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet
from django.conf import settings

BASE = Path(settings.BASE_DIR)


def _production_env(**extra: str) -> dict[str, str]:
    # The test run's own switches (conftest's DJANGO_ALLOW_ASYNC_UNSAFE) are not
    # part of a deployment.
    dropped = {"DATABASE_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(
        FIRSTLINE_ENV="production",
        SECRET_KEY="x7Hq2vLp9RkTz4WmNc8YbJd3Fs6Ga1Ue5Oi0PlKjHgXwQr2Tn-8sDf3Vb",
        ALLOWED_HOSTS="firstline.example.org",
        SITE_URL="https://firstline.example.org",
        BEHIND_PROXY="1",
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        FIRSTLINE_VAR_DIR=str(BASE / "var"),
    )
    env.update(extra)
    return env


def _run(code_or_args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *code_or_args], cwd=BASE, env=env, capture_output=True, text=True
    )


def test_check_deploy_is_clean_in_the_documented_production_configuration():
    done = _run(["manage.py", "check", "--deploy"], _production_env())
    assert done.returncode == 0, done.stderr
    assert "no issues" in done.stdout, done.stdout + done.stderr


def test_malformed_encryption_key_is_refused():
    env = _production_env(FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode() + ",not-a-key")
    done = _run(["manage.py", "check"], env)
    assert done.returncode != 0
    assert "firstline.E006" in done.stderr and "entry 2" in done.stderr


def test_the_web_process_runs_the_checks_at_start():
    ok = _run(["-c", "import firstline.wsgi"], _production_env())
    assert ok.returncode == 0, ok.stderr
    debug = _run(["-c", "import firstline.wsgi"], _production_env(DEBUG="1"))
    assert debug.returncode != 0
    assert "firstline.E002" in debug.stderr
