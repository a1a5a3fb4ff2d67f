"""Abuse protection for the public sign-on form, with no third party.

Layers, cheapest first: a honeypot field, a minimum fill time (a signed
timestamp rendered into the form), rate limits per client and per contact
email kept in the cache, and a proof-of-work challenge (firstline.lib.pow).

Client addresses are never stored: the limiter keys on an HMAC of the address
with a secret that changes every day, so keys cannot be reversed by
enumerating the IPv4 space with yesterday's key, and they expire with the window.

The bench bypass (``SIGNON_BENCH_BYPASS=1``) switches the rate limits, the
fill-time check and the proof-of-work off so ``bench/signon_burst.py`` can post
1,000 forms from one address. It is refused twice in production: the system
check ``campaigns.E001`` stops the server from starting, and ``bench_bypass()``
ignores the variable when FIRSTLINE_ENV=production anyway.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest

MIN_FILL_SECONDS = 3
MAX_FORM_AGE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Limit:
    name: str
    max_hits: int
    window_seconds: int


PER_CLIENT = Limit("client", 10, 10 * 60)
PER_EMAIL = Limit("email", 4, 60 * 60)
# Without JavaScript there is no proof of work, so those submissions get a much
# tighter budget, per client and for the whole site.
NO_POW_PER_CLIENT = Limit("nopow-client", 2, 60 * 60)
NO_POW_GLOBAL = Limit("nopow-global", 60, 60 * 60)


def bench_bypass() -> bool:
    if settings.FIRSTLINE_ENV == "production":
        return False
    return os.environ.get("SIGNON_BENCH_BYPASS", "") == "1"


def client_fingerprint(request: HttpRequest) -> str:
    day = time.strftime("%Y-%m-%d", time.gmtime())
    key = hashlib.sha256(f"firstline-client|{day}|{settings.SECRET_KEY}".encode()).digest()
    addr = request.META.get("REMOTE_ADDR", "") or "unknown"
    return hmac.new(key, addr.encode(), hashlib.sha256).hexdigest()[:32]


def rate_limit_hit(limit: Limit, subject: str) -> bool:
    """Count one hit; True when the limit is exceeded (this hit included)."""
    key = f"rl:{limit.name}:{subject}"
    # add() then incr(): the window starts at the first hit and is not
    # extended by later ones. DB-cache incr is read-modify-write, so a burst may
    # undercount by a few; the limits are coarse on purpose.
    if cache.add(key, 1, timeout=limit.window_seconds):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=limit.window_seconds)
            count = 1
    return count > limit.max_hits


_TS_SALT = "campaigns.signon.form-ts"


def form_timestamp() -> str:
    return signing.TimestampSigner(salt=_TS_SALT).sign("signon")


def form_fill_check(token: str) -> str:
    """ "ok", "too_fast", "stale" or "forged"."""
    signer = signing.TimestampSigner(salt=_TS_SALT)
    try:
        signer.unsign(token, max_age=MAX_FORM_AGE_SECONDS)
    except signing.SignatureExpired:
        return "stale"
    except signing.BadSignature:
        return "forged"
    try:
        issued = signing.b62_decode(token.split(signing.Signer().sep)[1])
    except (IndexError, ValueError):
        return "forged"
    if time.time() - issued < MIN_FILL_SECONDS:
        return "too_fast"
    return "ok"
