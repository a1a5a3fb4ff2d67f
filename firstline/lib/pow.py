"""Self-hosted proof-of-work challenges (ALTCHA-style), no third party involved.

The server picks a random ``salt`` (which embeds an expiry time) and a secret
number ``n`` in ``[0, max_number]``, and publishes ``challenge =
sha256(salt + str(n))`` plus an HMAC of the challenge. The browser
(``static/js/pow.js``) tries numbers from 0 until the hash matches: about
``max_number / 2`` SHA-256 operations on average, a fraction of a second for
one visitor, but real cost for someone posting thousands of forms.

The server keeps no state for issued challenges (the HMAC proves it issued
them); it does remember solved ones until they expire, so one solution cannot
be replayed. ``pow_verify`` returns a reason code rather than raising, so the
form can show a useful message.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache

ALGORITHM = "SHA-256"
DEFAULT_MAX_NUMBER = 60_000
DEFAULT_TTL_SECONDS = 20 * 60


def _key() -> bytes:
    return hashlib.sha256(b"firstline-pow|" + settings.SECRET_KEY.encode()).digest()


def _sign(challenge: str) -> str:
    return hmac.new(_key(), challenge.encode(), hashlib.sha256).hexdigest()


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


def pow_verify(payload: str, *, consume: bool = True) -> str:
    """Check a posted solution. Returns "ok" or a reason: malformed, forged,
    expired, wrong, replayed."""
    try:
        data = json.loads(base64.b64decode(payload.encode(), validate=True))
        algorithm = str(data["algorithm"])
        challenge = str(data["challenge"])
        salt = str(data["salt"])
        signature = str(data["signature"])
        number = int(data["number"])
    except (ValueError, KeyError, TypeError):
        return "malformed"
    if algorithm != ALGORITHM or len(salt) > 200 or number < 0:
        return "malformed"
    if not hmac.compare_digest(_sign(challenge), signature):
        return "forged"
    expires = _expiry(salt)
    now = int(time.time())
    if expires is None or expires < now:
        return "expired"
    if not hmac.compare_digest(hashlib.sha256(f"{salt}{number}".encode()).hexdigest(), challenge):
        return "wrong"
    if consume and not cache.add(f"pow:used:{challenge}", 1, timeout=max(1, expires - now + 5)):
        # cache.add is atomic on the DB cache (INSERT, unique key), so two
        # concurrent posts of one solution cannot both get through.
        return "replayed"
    return "ok"
