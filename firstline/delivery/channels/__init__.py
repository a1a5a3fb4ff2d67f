"""Delivery channels, registered by name (as healthchecks registers its transports).

``Delivery.channel`` holds a key of ``CHANNELS``. ``deliveries_create`` gives each
letter the first channel, in this order, whose ``address(target)`` is not empty.
Adding a channel is one module with a ``Transport`` subclass and one line here
(docs/architecture.md has a worked fax example).
"""

from __future__ import annotations

from .base import Result, Transport
from .email import EmailChannel
from .printed import PrintChannel

CHANNELS: dict[str, type[Transport]] = {
    EmailChannel.name: EmailChannel,
    PrintChannel.name: PrintChannel,
}

__all__ = ["CHANNELS", "Result", "Transport", "channel_for"]


def channel_for(name: str) -> type[Transport]:
    try:
        return CHANNELS[name]
    except KeyError:
        raise LookupError(f"no delivery channel {name!r}; known: {', '.join(CHANNELS)}") from None
