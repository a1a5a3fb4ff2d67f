"""Abuse protection for the public sign-on form, with no third party.

Layers, cheapest first: a honeypot field, a minimum fill time (a signed
timestamp rendered into the form), a proof-of-work challenge
(firstline.lib.pow), and rate limits per client and per contact email. The
limits and the spent challenges are rows of ``AbuseCounter``, all counted by
one statement per sign-on, in the sign-on's own transaction
(``services.signature_submit(screen=...)``).

Client addresses are never stored: the limiter keys on an HMAC of the address
with a secret that changes every day, so keys cannot be reversed by
enumerating the IPv4 space with yesterday's key, and they expire with the window.

Behind a reverse proxy (``BEHIND_PROXY=1``), every request comes from the
proxy's address; the client is then the address the proxy appended to
X-Forwarded-For (``TRUSTED_PROXY_HOPS`` from the right), or every visitor
would share one rate limit.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import StrEnum

from django.core import signing

from firstline.core.ratelimits import (
    Limit,
    counters_hit,
    limit_key,
    rate_limit_hit,
    spent_pow_key,
)
from firstline.lib import clients
from firstline.lib.pow import pow_check

MIN_FILL_SECONDS = 3
MAX_FORM_AGE_SECONDS = 24 * 3600


PER_CLIENT = Limit("client", 10, 10 * 60)
PER_EMAIL = Limit("email", 4, 60 * 60)
# Without JavaScript there is no proof of work, so those submissions get a much
# tighter budget, per client and for the whole site.
NO_POW_PER_CLIENT = Limit("nopow-client", 2, 60 * 60)
NO_POW_GLOBAL = Limit("nopow-global", 60, 60 * 60)


# The visitor, found behind our proxies and counted by network (an IPv6 /64),
# as a daily keyed hash: firstline.lib.clients is the one home of that rule.
client_address = clients.client_address
client_fingerprint = clients.client_fingerprint


class Verdict(StrEnum):
    OK = "ok"
    CLIENT_LIMIT = "client_limit"
    POW_FAILED = "pow_failed"
    NO_POW_LIMIT = "no_pow_limit"
    EMAIL_LIMIT = "email_limit"


@dataclass(frozen=True)
class Screen:
    """What one valid sign-on counts (``windows``), and the most hits each
    key may reach for it to pass (``limits``).

    ``spent`` is the spent challenge's key; ``nopow_key`` the client's
    no-JavaScript budget, when no proof of work came; ``pow_failed`` means a
    payload came but is forged or expired.
    """

    client_key: str
    email_key: str
    windows: dict[str, int]
    limits: dict[str, int]
    spent: str = ""
    nopow_key: str = ""
    pow_failed: bool = False


def signon_screen_plan(*, client: str, email_hash: str, pow_payload: str) -> Screen:
    """Counted together: the client, the email, and either the spent
    challenge (with proof of work) or the client's no-JavaScript budget."""
    client_key, email_key = limit_key(PER_CLIENT, client), limit_key(PER_EMAIL, email_hash)
    windows = {client_key: PER_CLIENT.window_seconds, email_key: PER_EMAIL.window_seconds}
    limits = {client_key: PER_CLIENT.max_hits, email_key: PER_EMAIL.max_hits}
    if not pow_payload:
        nopow_key = limit_key(NO_POW_PER_CLIENT, client)
        windows[nopow_key] = NO_POW_PER_CLIENT.window_seconds
        limits[nopow_key] = NO_POW_PER_CLIENT.max_hits
        return Screen(client_key, email_key, windows, limits, nopow_key=nopow_key)
    checked = pow_check(pow_payload)
    if checked.reason != "ok":
        return Screen(client_key, email_key, windows, limits, pow_failed=True)
    # Remembered a little past the challenge's expiry (after that pow_check
    # refuses the payload as expired anyway). A second hit is a replay.
    spent = spent_pow_key(checked.challenge)
    windows[spent] = -(checked.expires + 5)
    return Screen(client_key, email_key, windows, {**limits, spent: 1}, spent=spent)


def signon_screen_verdict(screen: Screen, hits: dict[str, int]) -> Verdict:
    """The verdict for the counted ``hits``. The site-wide no-JavaScript
    budget is counted here, and only for a client still within its own, so
    one client cannot spend everyone's."""

    def over(key: str) -> bool:
        return key in screen.limits and hits[key] > screen.limits[key]

    if over(screen.client_key):
        return Verdict.CLIENT_LIMIT
    if screen.pow_failed or (screen.spent and over(screen.spent)):
        return Verdict.POW_FAILED
    if screen.nopow_key and (over(screen.nopow_key) or rate_limit_hit(NO_POW_GLOBAL, "all")):
        return Verdict.NO_POW_LIMIT
    if over(screen.email_key):
        return Verdict.EMAIL_LIMIT
    return Verdict.OK


def signon_screen(*, client: str, email_hash: str, pow_payload: str) -> Verdict:
    """Rate limits and proof of work for one valid sign-on, in one statement."""
    screen = signon_screen_plan(client=client, email_hash=email_hash, pow_payload=pow_payload)
    return signon_screen_verdict(screen, counters_hit(windows=screen.windows))


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
