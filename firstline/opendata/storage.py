"""Where the generated files live, and reading their provenance sidecars."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings


def opendata_dir() -> Path:
    path = Path(settings.OPENDATA_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def meta_name(name: str) -> str:
    return f"{name}.meta.json"


def download_meta(*, name: str) -> dict[str, Any] | None:
    """The sidecar of a generated file, or None before its first generation."""
    try:
        return json.loads((opendata_dir() / meta_name(name)).read_text())
    except (FileNotFoundError, ValueError):
        return None
