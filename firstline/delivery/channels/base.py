"""What every delivery channel provides (the seam; see ``channels/__init__.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from django.utils import timezone
from django.utils.functional import Promise

from firstline.delivery.models import Delivery, DeliveryStatus, Target

StrOrPromise = str | Promise


@dataclass(frozen=True)
class Result:
    """What a send did: the status the row moves to and how it went (``Delivery.mode``)."""

    status: str = DeliveryStatus.SENT
    mode: str = ""


class Transport:
    """One way a letter reaches an office.

    ``pumped`` channels are sent by the delivery pump: rows are claimed under a
    lease (``firstline.mail.queue``), ``send`` is called once per row and the
    result recorded at once. Other channels wait for staff (print packets are
    built in ``delivery.printing`` and handed over by hand or mailed).
    """

    name: ClassVar[str]
    label: ClassVar[StrOrPromise]
    pumped: ClassVar[bool] = False

    @classmethod
    def address(cls, target: Target) -> str | None:
        """Where this channel reaches the target ("" if it needs no address), or
        None when it cannot reach it."""
        raise NotImplementedError

    @classmethod
    def delivery_fields(cls, address: str) -> dict[str, Any]:
        """Extra values of a new Delivery row on this channel."""
        return {"to_address": address}

    def __init__(self, *, external_allowed: bool = False) -> None:
        # The campaign's switch, read once per batch by the pump: only with it
        # on may a channel reach a real official.
        self.external_allowed = external_allowed

    def admit(self, rows: list[Delivery]) -> tuple[list[Delivery], list[Delivery], datetime]:
        """Split claimed rows into those to send now and those that wait until the
        returned time (a channel with rate limits); waiting spends no attempt."""
        return rows, [], timezone.now()

    def send(self, delivery: Delivery) -> Result:
        raise NotImplementedError

    def close(self) -> None:
        """Release what the channel holds between sends (a connection)."""
