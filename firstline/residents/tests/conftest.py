from collections.abc import Iterator

import pytest

from firstline.residents.selectors import local_copies_clear


@pytest.fixture(autouse=True)
def _no_copies_from_other_tests() -> Iterator[None]:
    # A process's copies outlive each test's rolled-back transaction.
    local_copies_clear()
    yield
    local_copies_clear()
