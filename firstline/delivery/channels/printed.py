"""Letters on paper: reaches every target (the address page carries the postal
address, or is left for hand delivery). Not pumped: staff build packets
(``delivery.printing``), then mark each letter delivered by hand or mailed."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from firstline.delivery.models import Channel, Delivery, DeliveryStatus, PacketScope, Target
from firstline.delivery.printing import print_packet_build

from .base import Result, Transport


class PrintChannel(Transport):
    name = Channel.PRINT
    label = _("Print")

    @classmethod
    def address(cls, target: Target) -> str | None:
        return ""

    def send(self, delivery: Delivery) -> Result:
        """Print one letter as an office packet; the row becomes ``printed``."""
        letter = delivery.letter
        print_packet_build(campaign=letter.campaign, scope=PacketScope.OFFICE, letters=[letter])
        return Result(status=DeliveryStatus.PRINTED, mode="pdf")
