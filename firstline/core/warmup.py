"""One-time costs a web worker pays before it accepts its first request.

Django builds several things lazily, on first use in each process: the
URLconf (importing every view and form), the reverse-lookup tables per
language, and the large Unicode patterns of the URL and email validators.
In a fresh gunicorn worker that is about 150 ms spent inside somebody's
request (measured on the sign-on POST: the first one each worker served took
that long, a third of the CPU of a 1,000-request burst). ``firstline.wsgi``
calls ``warm_up`` at import, so workers pay it while booting instead.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import URLValidator, validate_email
from django.urls import get_resolver, reverse
from django.utils import translation


def warm_up() -> None:
    get_resolver().url_patterns  # noqa: B018 (imports the URLconf: every view and form)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            reverse("core:home")
    URLValidator(schemes=["http", "https"])("https://example.org/")
    validate_email("warm.up@example.org")
