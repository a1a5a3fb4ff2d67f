from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from firstline.opendata.datasets import DATASETS
from firstline.opendata.services import downloads_generate


@pytest.fixture(scope="module")
def generated(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """Every download written once from the national dataset, for the read-only tests."""
    directory = tmp_path_factory.mktemp("opendata")
    with override_settings(OPENDATA_DIR=directory), django_db_blocker.unblock():
        downloads_generate(slugs=list(DATASETS))
        yield directory


@pytest.fixture
def own_dir(settings: Any, tmp_path: Path) -> Path:
    """A private directory for a test that writes files from data it changed."""
    settings.OPENDATA_DIR = tmp_path
    return tmp_path
