"""A logging filter that removes IP addresses from log lines.

Firstline keeps no visitor addresses (docs/privacy.md). Our own code never
logs one, but servers and libraries do: gunicorn's error log names the client
of a malformed request ("Invalid request from ip=..."), and exception messages
can carry a peer address. The filter rewrites every record that passes through
a handler it is attached to; gunicorn attaches it through ``gunicorn.conf.py``
and Django's console handler through ``LOGGING``.
"""

from __future__ import annotations

import logging
import re

# IPv4 dotted quads, and IPv6 in its full, compressed and mapped forms. The
# IPv6 pattern needs two colons, so times ("12:30") and ports survive.
_IPV4 = r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.])"
_IPV6 = r"(?<![\w:])(?:[0-9a-fA-F]{0,4}:){2,7}(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9a-fA-F]{1,4})?(?![\w:]|\.\d)"
_ADDRESS = re.compile(f"{_IPV6}|{_IPV4}")
REDACTED = "[address removed]"


def redact_addresses(text: str) -> str:
    return _ADDRESS.sub(lambda m: REDACTED if _looks_like_address(m.group()) else m.group(), text)


def _looks_like_address(found: str) -> bool:
    if "." in found and ":" not in found:
        return all(int(part) <= 255 for part in found.split("."))
    # "::" alone or a clock-like "1:2:3" is not worth redacting, but any group
    # of hex digits with two or more colons is treated as an address.
    return any(c.isalnum() for c in found)


class RedactAddresses(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact_addresses(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_addresses(record.exc_text)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True
