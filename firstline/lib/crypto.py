"""Field-level encryption for personal data, and keyed lookup hashes.

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256, random IV) under a
MultiFernet built from ``settings.FIELD_ENCRYPTION_KEYS`` (newest first). The
newest key encrypts; every listed key decrypts, so rotation is: prepend a new
key, deploy, run ``manage.py rotate_field_keys``, then drop the old key
(docs/privacy.md).

Fernet output is random, so equality lookups on an encrypted column are
impossible; ``lookup_hash`` gives a deterministic HMAC-SHA256 of a normalized
value for uniqueness constraints and "have we seen this email" queries, without
storing the value in clear.

With no keys configured (development and tests only: the production system
check firstline.E004 refuses that) a key is derived from SECRET_KEY, so a fresh
checkout works with zero configuration.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import unicodedata
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models

PREFIX = "fe1:"  # marks a stored value as ciphertext, so a plaintext leak is detectable


def _dev_key() -> bytes:
    digest = hashlib.sha256(b"firstline-dev-field-key|" + settings.SECRET_KEY.encode()).digest()
    return base64.urlsafe_b64encode(digest)


@lru_cache(maxsize=4)
def _fernet_for(keys: tuple[str, ...], secret: str) -> MultiFernet:
    raw = [k.encode() for k in keys] if keys else [_dev_key()]
    return MultiFernet([Fernet(k) for k in raw])


def fernet() -> MultiFernet:
    return _fernet_for(tuple(settings.FIELD_ENCRYPTION_KEYS), settings.SECRET_KEY)


def generate_key() -> str:
    return Fernet.generate_key().decode()


def encrypt(value: str) -> str:
    if value == "":
        return ""
    return PREFIX + fernet().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    if token == "" or token is None:
        return ""
    if not token.startswith(PREFIX):
        raise ValueError("value is not Firstline ciphertext")
    try:
        return fernet().decrypt(token[len(PREFIX) :].encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise ValueError("cannot decrypt: no configured key matches (see docs/privacy.md)") from exc


def reencrypt(token: str) -> str:
    """Re-encrypt under the newest key (MultiFernet.rotate keeps the timestamp)."""
    if not token:
        return token
    return PREFIX + fernet().rotate(token[len(PREFIX) :].encode("ascii")).decode("ascii")


def is_current_key(token: str) -> bool:
    """True if ``token`` decrypts with the newest key alone."""
    if not token:
        return True
    keys = tuple(settings.FIELD_ENCRYPTION_KEYS)
    newest = Fernet(keys[0].encode() if keys else _dev_key())
    try:
        newest.decrypt(token[len(PREFIX) :].encode("ascii"))
    except InvalidToken:
        return False
    return True


def _hash_key() -> bytes:
    # A dedicated FIELD_HASH_KEY survives encryption-key rotation; without one
    # the key is derived from SECRET_KEY (rotating SECRET_KEY then needs
    # `rotate_field_keys --rehash`, which recomputes hashes from the plaintext).
    configured = getattr(settings, "FIELD_HASH_KEY", "")
    if configured:
        return configured.encode()
    return hashlib.sha256(b"firstline-lookup-hash|" + settings.SECRET_KEY.encode()).digest()


def normalize_email(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip().casefold()


def lookup_hash(value: str, *, purpose: str = "email") -> str:
    """Deterministic keyed hash of a normalized value (hex, 64 chars)."""
    message = f"{purpose}|{normalize_email(value)}".encode()
    return hmac.new(_hash_key(), message, hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """A text column stored as Fernet ciphertext; Python code sees plaintext.

    It cannot be filtered or ordered on meaningfully; pair it with a lookup
    hash column when equality matters.
    """

    description = "Text encrypted at rest"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return value
        return decrypt(value)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and value.startswith(PREFIX):
            return decrypt(value)
        return value

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None:
            return value
        return encrypt(str(value))
