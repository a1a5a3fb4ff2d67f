"""Self-hosted proof-of-work challenges, checked by the ``altcha`` library.

The server side is ALTCHA's v1 scheme from the ``altcha`` package: a random
salt carrying ``expires=<unix time>``, a secret number ``n`` and ``challenge =
sha256(salt + n)`` signed with an HMAC. Our own widget
(``static/js/pow.js``) finds ``n`` in the browser; nothing is loaded from a
third party. The library ends every salt with ``&`` so that digits of the
answer cannot be moved into the salt to rewrite its expiry (the flaw of our
earlier hand-written version, fixed upstream in ALTCHA's December 2025
advisory); see docs/privacy.md.

The server keeps no state for issued challenges (the HMAC proves it issued
them). Solved ones must be remembered until they expire, so one solution
cannot be replayed: ``pow_check`` is the stateless part and leaves that to the
caller, ``pow_verify`` remembers them in the cache. Both return reason codes
rather than raising, so the form can show a useful message.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final, Literal, cast

import altcha
from django.conf import settings
from django.core.cache import cache

ALGORITHM: Final[Literal["SHA-256"]] = "SHA-256"
DEFAULT_MAX_NUMBER = 60_000
DEFAULT_TTL_SECONDS = 20 * 60
# A salt is 24 hex characters plus "?expires=<10 digits>&"; anything far
# longer was not issued by us and is refused before hashing.
MAX_SALT_LENGTH = 200


@lru_cache(maxsize=4)
def _key_for(secret: str) -> str:
    # A key of its own, derived from SECRET_KEY, so a leak of one proof-of-work
    # signature says nothing about Django's other signatures.
    return hashlib.sha256(b"firstline-pow|" + secret.encode()).hexdigest()


def _hmac_key() -> str:
    return _key_for(settings.SECRET_KEY)


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
    expires = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=ttl_seconds)
    made = altcha.create_challenge_v1(
        algorithm=ALGORITHM,
        max_number=max_number,
        salt_length=12,
        hmac_key=_hmac_key(),
        salt="",
        number=number,
        expires=expires,
        params=None,
    )
    return Challenge(made.algorithm, made.challenge, made.max_number, made.salt, made.signature)


def pow_solve(challenge: Challenge) -> int | None:
    """Brute-force a challenge in Python (tests and the bench use this)."""
    for n in range(challenge.max_number + 1):
        if hashlib.sha256(f"{challenge.salt}{n}".encode()).hexdigest() == challenge.challenge:
            return n
    return None


def pow_payload(challenge: Challenge, number: int) -> str:
    """The base64 JSON the browser posts back (ALTCHA's payload shape)."""
    data = {**challenge.as_dict(), "number": number}
    data.pop("maxnumber")
    return base64.b64encode(json.dumps(data).encode()).decode()


@dataclass(frozen=True)
class PowCheck:
    """Outcome of the stateless part of verification. ``reason`` is "ok" or
    malformed, forged, expired, wrong; for "ok", ``challenge`` and
    ``expires`` say what the caller must remember to refuse a replay."""

    reason: str
    challenge: str = ""
    expires: int = 0


def _decode(payload: str) -> dict[str, Any] | None:
    try:
        data = json.loads(base64.b64decode(payload.encode(), validate=True))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    if not isinstance(data, dict):
        return None
    try:
        number = int(data["number"])
        salt = str(data["salt"])
        fields = (data["algorithm"], data["challenge"], data["signature"])
    except (KeyError, TypeError, ValueError):
        return None
    if fields[0] != ALGORITHM or number < 0 or len(salt) > MAX_SALT_LENGTH:
        return None
    return data


def _expiry(data: dict[str, Any]) -> int | None:
    values = altcha.extract_params_v1(cast("altcha.v1.PayloadType", data)).get("expires") or []
    # Exactly one expiry: a salt that repeats the key was not made by us.
    if len(values) != 1 or not values[0].isdigit():
        return None
    return int(values[0])


def pow_check(payload: str, *, now: int | None = None) -> PowCheck:
    """Check a posted solution without touching any store: the HMAC proves we
    issued the challenge, the salt carries its expiry, the hash proves the work.
    Refusing replays is the caller's job (campaigns counts spent challenges
    with its rate limits; ``pow_verify`` uses the cache)."""
    data = _decode(payload)
    if data is None:
        return PowCheck("malformed")
    expires = _expiry(data)
    if expires is None:
        # Every challenge we issue carries one; a missing expiry is tampering.
        return PowCheck("forged")
    current = int(time.time()) if now is None else now
    if expires < current:
        return PowCheck("expired")
    # The library's own expiry check uses the wall clock; ours above honours
    # ``now`` (tests) and the library then checks the hash and the HMAC.
    ok, _error = altcha.verify_solution_v1(
        cast("altcha.v1.PayloadType", data), _hmac_key(), check_expires=False
    )
    if not ok:
        issued = altcha.hmac_hex(ALGORITHM, str(data["challenge"]).encode(), _hmac_key())
        return PowCheck("wrong" if issued == data["signature"] else "forged")
    return PowCheck("ok", str(data["challenge"]), expires)


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
