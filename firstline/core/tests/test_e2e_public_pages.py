"""Every public page on a 390-pixel phone, in both languages (issue 17).

Against the production server (gunicorn, a clone of the national test data
with the demo campaign seeded), Debian's Chromium visits every public page
listed by the URLconf, with real ids, plus the ZIP results of three cities:

* no page is wider than the phone (tables become stacked cards);
* no Spanish page shows English interface words: the list is built from the
  catalogs' English msgids, less words Spanish shares, proper nouns and the
  names in the data; text the templates mark as data (``translate="no"``,
  ``lang="en"``) is left out;
* the 77002 result fits in 4,000 px in both languages.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command

from firstline import testing
from firstline.core.tests import public_pages

PHONE_WIDTH = 390
RESULT_MAX_HEIGHT = 4000


def _look_up(page, server_url: str, language: str, zip_code: str) -> None:
    page.goto(f"{server_url}/{language}/find/")
    page.locator("#zip").fill(zip_code)
    page.locator("#zip").press("Enter")
    page.wait_for_selector("#result-h")


def _check(page, language: str, vocabulary: set[str]) -> tuple[int, list[str]]:
    width = page.evaluate("document.documentElement.scrollWidth")
    english = (
        public_pages.english_found(page.evaluate(public_pages.VISIBLE_TEXT_JS), vocabulary)
        if language == "es"
        else []
    )
    return width, english


@pytest.mark.e2e
def test_public_pages_fit_a_phone_and_spanish_pages_have_no_english(
    django_db_setup, django_db_blocker, phone_page, monkeypatch
):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    page = phone_page
    call_command("collectstatic", interactive=False, verbosity=0)
    with django_db_blocker.unblock(), testing.app_server("phone", with_worker=False) as server:
        server.manage("seed_demo")
        vocabulary = public_pages.english_words() - public_pages.data_words(server.alias)
        # The list is real: common interface words are in it.
        assert {"missing", "signatories", "confirm", "write"} <= vocabulary
        wide: dict[str, int] = {}
        english: dict[str, list[str]] = {}
        failed: list[str] = []
        visited = 0
        for language in ("en", "es"):
            for path in public_pages.public_paths(language, using=server.alias):
                response = page.goto(server.url + path)
                assert response is not None
                if response.status >= 500:
                    failed.append(f"{response.status} {path}")
                    continue
                visited += 1
                width, words = _check(page, language, vocabulary)
                if width > PHONE_WIDTH:
                    wide[path] = width
                if words:
                    english[path] = words
            for zip_code in public_pages.ZIPS:
                _look_up(page, server.url, language, zip_code)
                width, words = _check(page, language, vocabulary)
                label = f"/{language}/find/ ZIP {zip_code}"
                if width > PHONE_WIDTH:
                    wide[label] = width
                if words:
                    english[label] = words
                if zip_code == "77002":
                    height = page.evaluate("document.documentElement.scrollHeight")
                    assert height <= RESULT_MAX_HEIGHT, (language, height)
        assert visited > 100, visited
        assert not failed, failed
        assert not wide, f"wider than a {PHONE_WIDTH}-px phone: {wide}"
        assert not english, f"English words on Spanish pages: {english}"
        # The check can fail: the English lookup page is full of catalog words.
        _look_up(page, server.url, "en", "77002")
        assert len(_check(page, "es", vocabulary)[1]) > 10
