"""A letter as an email, serialized once, cheaply: the one measured exception to
"use Django's email API" in delivery.

``LetterEmail`` is a Django ``EmailMessage`` that overrides only ``message()``
and writes the fixed text + HTML shape directly (``binascii`` does the
quoted-printable in C). Recipients, address checks, the connection, the
Message-ID and redirect rewriting stay Django's and ``mail.transport.Sender``'s:
``message()`` reads ``to`` and ``extra_headers`` when the backend calls it.

Measured with ``bench/delivery_serialization.py`` (one pump, 300 real letters,
loopback sink, 2 shared vCPUs under load, median of 3, two runs): Django's
``EmailMultiAlternatives.message()`` 56-57 letters/s (0.12x raw smtplib),
this class 141-180/s (0.29-0.38x), i.e. 2.5-3.2x the pipeline's throughput;
it is what keeps ``bench/delivery.py`` above 0.5x raw smtplib with two
workers. A raw-SQL ``sent`` write measured 1.0-1.4x the ORM's (1.2x once the
ORM update wrote a literal ``attempts``) and was dropped.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from email.utils import formataddr, formatdate, parseaddr
from typing import Any

from django.core.mail import EmailMessage

_RESERVED = {
    "from",
    "reply-to",
    "to",
    "subject",
    "date",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
}


def _clean(value: str) -> str:
    # Header injection guard: a value never spans lines.
    return " ".join(str(value).replace("\r", " ").replace("\n", " ").split())


def _encoded_words(value: str) -> str:
    """RFC 2047 base64 words of at most 30 characters each, one per folded line
    (the email package's QP folding costs about 0.7 ms per subject)."""
    chunks = [value[i : i + 30] for i in range(0, len(value), 30)]
    return "\r\n ".join(f"=?utf-8?b?{base64.b64encode(c.encode()).decode()}?=" for c in chunks)


def _encode_header(name: str, value: str) -> str:
    value = _clean(value)
    if value.isascii() and len(name) + len(value) < 990:
        return value
    return _encoded_words(value)


def _encode_address(value: str) -> str:
    name, address = parseaddr(_clean(value))
    if not name or name.isascii():
        return formataddr((name, address)) if name else address
    return f"{_encoded_words(name)} <{address}>"


def _qp(text: str) -> bytes:
    data = text.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8")
    return binascii.b2a_qp(data, quotetabs=False, istext=True).replace(b"\n", b"\r\n")


class _Serialized:
    """What the SMTP backend needs from ``message()``: ``as_bytes()``."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def as_bytes(self, *args: Any, **kwargs: Any) -> bytes:
        return self._data


class LetterEmail(EmailMessage):
    def __init__(self, *, html: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.html = html

    def message(self, *, policy: Any = None) -> Any:  # type: ignore[override]
        return _Serialized(self.serialize())

    def serialize(self) -> bytes:
        boundary = f"==firstline-{uuid.uuid4().hex}"
        headers = [
            f"Subject: {_encode_header('Subject', str(self.subject))}",
            f"From: {_encode_address(str(self.from_email))}",
            f"To: {', '.join(_encode_address(a) for a in self.to)}",
            f"Date: {formatdate(localtime=True)}",
        ]
        if self.reply_to:
            headers.append(f"Reply-To: {', '.join(_encode_address(a) for a in self.reply_to)}")
        for name, value in self.extra_headers.items():
            if name.lower() not in _RESERVED:
                headers.append(f"{_clean(name)}: {_encode_header(name, value)}")
        headers += [
            "MIME-Version: 1.0",
            f'Content-Type: multipart/alternative; boundary="{boundary}"',
        ]
        part = 'Content-Type: text/{}; charset="utf-8"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n'
        return b"".join(
            [
                "\r\n".join(headers).encode("ascii"),
                b"\r\n\r\n",
                f"--{boundary}\r\n{part.format('plain')}".encode(),
                _qp(str(self.body)),
                f"\r\n--{boundary}\r\n{part.format('html')}".encode(),
                _qp(self.html),
                f"\r\n--{boundary}--\r\n".encode(),
            ]
        )
