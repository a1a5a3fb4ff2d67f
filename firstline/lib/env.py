"""Small typed readers for environment variables (healthchecks-style).

Each helper returns a default when the variable is unset or empty, and raises
``ImproperlyConfigured`` with the variable's name when a value cannot be parsed,
so a typo in production fails at start-up instead of at first use.

``env_file_load`` reads a ``.env`` file first (python-dotenv), so a deployment
can keep its configuration in one file beside the code; variables already set
in the environment (systemd's EnvironmentFile, compose, a shell) win.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_file_load(default: Path) -> Path | None:
    """Load ``FIRSTLINE_ENV_FILE`` (default: ``default``) into the environment
    if it exists, without overriding what is already set; an empty
    FIRSTLINE_ENV_FILE reads no file. Returns the file read, if any."""
    chosen = os.environ.get("FIRSTLINE_ENV_FILE", str(default))
    path = Path(chosen) if chosen else None
    if path is None or not path.is_file():
        return None
    load_dotenv(path, override=False)
    return path


def env_str(name: str, default: str = "") -> str:
    value = os.environ.get(name, "")
    return value if value != "" else default


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if value == "":
        return default
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of {sorted(_TRUE | _FALSE)}, got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = os.environ.get(name, "").strip()
    if value == "":
        return list(default or [])
    return [part.strip() for part in value.split(",") if part.strip()]


def env_choice(name: str, choices: tuple[str, ...], default: str) -> str:
    value = env_str(name, default)
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {choices}, got {value!r}")
    return value
