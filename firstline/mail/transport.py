"""Where a message goes, and one reusable connection to get it there.

Three modes (settings.DELIVERY_MODE):
- ``outbox`` (default): nothing leaves the machine; the caller keeps the row
  as the outbox, viewable by staff.
- ``smtp``: the configured server (settings.MAILERS["default"]).
- ``redirect``: real SMTP, but every message goes to DELIVERY_REDIRECT_TO.

Messages to officials also need the campaign's explicit switch: callers pass
``external_allowed=False`` unless it is on, and the route falls back to the
outbox. Transactional mail to the person who asked for it (a sign-on
verification link) passes ``external_allowed=True``.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
from typing import Literal, cast

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import make_msgid

Mode = Literal["outbox", "smtp", "redirect"]


@dataclass(frozen=True)
class Route:
    mode: Mode
    recipients: list[str]

    @property
    def leaves_machine(self) -> bool:
        return self.mode != "outbox"


def route_for(recipients: list[str], *, external_allowed: bool) -> Route:
    # settings validates DELIVERY_MODE against these three values (env_choice).
    mode = cast(Mode, settings.DELIVERY_MODE)
    if mode == "outbox" or not external_allowed:
        return Route("outbox", list(recipients))
    if mode == "redirect":
        if not settings.DELIVERY_REDIRECT_TO:
            # Refuse rather than guess: a redirect with no target must never
            # fall through to the real recipients.
            raise RuntimeError("DELIVERY_MODE=redirect needs DELIVERY_REDIRECT_TO")
        return Route("redirect", [settings.DELIVERY_REDIRECT_TO])
    return Route("smtp", list(recipients))


def new_message_id() -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(">") or "firstline.localhost"
    return make_msgid(domain=domain)


class Sender:
    """Sends many messages over one SMTP connection (opened lazily).

    Use as a context manager around a batch. ``send`` returns the Message-ID
    it stamped on the message, which callers store as the provider id.
    """

    def __init__(self) -> None:
        self._connection: BaseEmailBackend | None = None

    def __enter__(self) -> Sender:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            finally:
                self._connection = None

    def send(self, message: EmailMessage, route: Route, *, message_id: str | None = None) -> str:
        message_id = message_id or new_message_id()
        message.extra_headers["Message-ID"] = message_id
        if not route.leaves_machine:
            return message_id
        if route.mode == "redirect":
            message.extra_headers["X-Firstline-Original-To"] = ", ".join(message.to)
            message.to, message.cc, message.bcc = route.recipients, [], []
        if self._connection is None:
            self._connection = mailers.default
            self._connection.open()
        sent = self._connection.send_messages([message])
        if not sent:
            raise RuntimeError("the mail server accepted no recipient")
        return message_id
