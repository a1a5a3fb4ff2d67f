"""Settings for bench/signon_burst.py: the site's own, plus the trivial view
the sign-on is measured against (``bench.signon_urls``). Never for production:
nothing in firstline/ knows this module, and it refuses to load there."""

from django.core.exceptions import ImproperlyConfigured

from firstline.settings import *  # noqa: F403

if FIRSTLINE_ENV == "production":  # noqa: F405
    raise ImproperlyConfigured("bench.signon_settings is for the benchmark only.")

ROOT_URLCONF = "bench.signon_urls"
