"""Self-hosted proof-of-work challenges (ALTCHA-style), no third party involved.

The server picks a random ``salt`` (which embeds an expiry time) and a secret
number ``n`` in ``[0, max_number]``, and publishes ``challenge =
sha256(salt + str(n))`` plus an HMAC of the challenge. The browser
(``static/js/pow.js``) tries numbers from 0 until the hash matches: about
``max_number / 2`` SHA-256 operations on average, a fraction of a second for
one visitor, but real cost for someone posting thousands of forms.

The server keeps no state for issued challenges (the HMAC proves it issued
them). Solved ones must be remembered until they expire, so one solution
cannot be replayed: ``pow_check`` is the stateless part and leaves that to
the caller, ``pow_verify`` remembers them in the cache. Both return reason
codes rather than raising, so the form can show a useful message.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.cache import cache

ALGORITHM = "SHA-256"
DEFAULT_MAX_NUMBER = 60_000
DEFAULT_TTL_SECONDS = 20 * 60


@lru_cache(maxsize=4)
def _key_for(secret: str) -> bytes:
    return hashlib.sha256(b"firstline-pow|" + secret.encode()).digest()


def _sign(challenge: str) -> str:
    return hmac.new(_key_for(settings.SECRET_KEY), challenge.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Challenge:
    algorithm: str
    challenge: str
    max_number: int
    salt: str
    signature: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "algorithm": self.algorithm,
            "challenge": self.challenge,
            "maxnumber": self.max_number,
            "salt": self.salt,
            "signature": self.signature,
        }


def pow_challenge_create(
    *,
    max_number: int = DEFAULT_MAX_NUMBER,
    ttl_seconds: int = DEFAULT_TTL_SECONDS,
    number: int | None = None,
) -> Challenge:
    expires = int(time.time()) + ttl_seconds
    salt = f"{secrets.token_hex(12)}?expires={expires}"
    n = secrets.randbelow(max_number + 1) if number is None else number
    challenge = hashlib.sha256(f"{salt}{n}".encode()).hexdigest()
    return Challenge(ALGORITHM, challenge, max_number, salt, _sign(challenge))


def pow_solve(challenge: Challenge) -> int | None:
    """Brute-force a challenge in Python (tests and the bench use this)."""
    for n in range(challenge.max_number + 1):
        if hashlib.sha256(f"{challenge.salt}{n}".encode()).hexdigest() == challenge.challenge:
            return n
    return None


def pow_payload(challenge: Challenge, number: int) -> str:
    """The base64 JSON the browser posts back (same shape as ALTCHA's)."""
    data = {**challenge.as_dict(), "number": number}
    data.pop("maxnumber")
    return base64.b64encode(json.dumps(data).encode()).decode()


def _expiry(salt: str) -> int | None:
    _, _, query = salt.partition("?")
    for part in query.split("&"):
        key, _, value = part.partition("=")
        if key == "expires" and value.isdigit():
            return int(value)
    return None


@dataclass(frozen=True)
class PowCheck:
    """Outcome of the stateless part of verification. ``reason`` is "ok" or
    malformed, forged, expired, wrong; for "ok", ``challenge`` and
    ``expires`` say what the caller must remember to refuse a replay."""

    reason: str
    challenge: str = ""
    expires: int = 0


def pow_check(payload: str, *, now: int | None = None) -> PowCheck:
    """Check a posted solution without touching any store: the HMAC proves we
    issued the challenge, the salt carries its expiry, the hash proves the work.
    Refusing replays is the caller's job (campaigns counts spent challenges in
    the same statement as its rate limits; ``pow_verify`` uses the cache)."""
    try:
        data = json.loads(base64.b64decode(payload.encode(), validate=True))
        algorithm = str(data["algorithm"])
        challenge = str(data["challenge"])
        salt = str(data["salt"])
        signature = str(data["signature"])
        number = int(data["number"])
    except (ValueError, KeyError, TypeError):
        return PowCheck("malformed")
    if algorithm != ALGORITHM or len(salt) > 200 or number < 0:
        return PowCheck("malformed")
    if not hmac.compare_digest(_sign(challenge), signature):
        return PowCheck("forged")
    expires = _expiry(salt)
    now = int(time.time()) if now is None else now
    if expires is None or expires < now:
        return PowCheck("expired")
    if not hmac.compare_digest(hashlib.sha256(f"{salt}{number}".encode()).hexdigest(), challenge):
        return PowCheck("wrong")
    return PowCheck("ok", challenge, expires)


def pow_verify(payload: str, *, consume: bool = True) -> str:
    """Check a posted solution and, with ``consume``, spend it in the cache.
    Returns "ok" or a reason: malformed, forged, expired, wrong, replayed."""
    checked = pow_check(payload)
    if checked.reason != "ok":
        return checked.reason
    ttl = max(1, checked.expires - int(time.time()) + 5)
    # cache.add is atomic (an INSERT on a unique key for the DB cache), so two
    # concurrent posts of one solution cannot both get through.
    if consume and not cache.add(f"pow:used:{checked.challenge}", 1, timeout=ttl):
        return "replayed"
    return "ok"
