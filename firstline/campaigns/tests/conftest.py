from __future__ import annotations

from collections.abc import Iterator

import pytest

from firstline.campaigns.selectors import campaign_memo_clear, jurisdiction_memo_clear


@pytest.fixture(autouse=True)
def _fresh_memos() -> Iterator[None]:
    # Rows made inside a test are rolled back after it; a memo entry
    # pointing at one must not leak into the next test.
    jurisdiction_memo_clear()
    campaign_memo_clear()
    yield
    jurisdiction_memo_clear()
    campaign_memo_clear()
