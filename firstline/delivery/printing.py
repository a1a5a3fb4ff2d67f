"""Print: PDF packets of letters, and marking printed letters as handed over or mailed."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from firstline.campaigns.models import Campaign, Organization
from firstline.core.services import audit_event_record
from firstline.geo.models import Jurisdiction

from . import selectors
from .base import DeliveryError, User, signed_in
from .letters import jurisdiction_name, letter_title
from .models import (
    PACKET_STALL,
    Channel,
    Delivery,
    DeliveryStatus,
    LetterCopy,
    PacketScope,
    PacketStatus,
    PrintPacket,
)

logger = logging.getLogger(__name__)


def letters_print_html(*, letters: Sequence[LetterCopy], with_address_pages: bool = True) -> str:
    """The print document: per letter, a cover (address) page and the letter, each
    in the letter's language."""
    items = [
        {
            "subject": lc.subject,
            "html": lc.html,
            "target": lc.target,
            "language": lc.language,
            "title": letter_title(lc.target, lc.language),
            "where": jurisdiction_name(lc.target.jurisdiction, lc.language),
            "campaign_title": (lc.campaign.title_es or lc.campaign.title)
            if lc.language == "es"
            else lc.campaign.title,
        }
        for lc in letters
    ]
    return render_to_string(
        "delivery/print.html",
        {"items": items, "with_address_pages": with_address_pages, "title": "Firstline"},
    )


def letters_pdf(
    *, letters: Sequence[LetterCopy], with_address_pages: bool = True
) -> tuple[bytes, int]:
    """One WeasyPrint document for any number of letters: one document per
    packet renders about twice as fast as separate ones (docs/delivery.md)."""
    import weasyprint

    html = letters_print_html(letters=letters, with_address_pages=with_address_pages)
    document = weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).render()
    return document.write_pdf(), len(document.pages)


# Letters per WeasyPrint document while building a packet: large enough to keep most
# of one document's speed (docs/delivery.md), small enough to report progress often.
PACKET_CHUNK = 20


def _packet_letters(
    *, campaign: Campaign, scope: str, jurisdiction: Jurisdiction | None
) -> list[LetterCopy]:
    letters = list(selectors.print_letters(campaign=campaign, jurisdiction=jurisdiction))
    if not letters:
        raise DeliveryError(_("no letters to print here"))
    if scope == PacketScope.OFFICE and len(letters) != 1:
        raise DeliveryError(_("an office packet holds one letter"))
    return letters


def _packet_create(
    *,
    campaign: Campaign,
    scope: str,
    jurisdiction: Jurisdiction | None,
    letters: Sequence[LetterCopy] | None,
    by: User,
) -> PrintPacket:
    if letters is None:
        letters = _packet_letters(campaign=campaign, scope=scope, jurisdiction=jurisdiction)
    elif scope == PacketScope.OFFICE and len(letters) != 1:
        raise DeliveryError(_("an office packet holds one letter"))
    packet = PrintPacket(
        campaign=campaign, scope=scope, jurisdiction=jurisdiction, letters_total=len(letters)
    )
    packet.created_by = signed_in(by)
    with transaction.atomic():
        packet.save()
        packet.letters.set(letters)
    return packet


def _enqueue(packet: PrintPacket) -> None:
    from .tasks import build_packet

    transaction.on_commit(lambda: build_packet.enqueue(packet.pk))


def print_packet_request(
    *, campaign: Campaign, scope: str, jurisdiction: Jurisdiction | None = None, by: User = None
) -> PrintPacket:
    """Queue a packet of every letter to print in a county or state (or one office's):
    the letters are chosen now, a task renders them (``print_packet_render``)."""
    packet = _packet_create(
        campaign=campaign, scope=scope, jurisdiction=jurisdiction, letters=None, by=by
    )
    _enqueue(packet)
    return packet


def print_packet_retry(*, packet: PrintPacket, by: User = None) -> bool:
    """Queue a failed or stalled packet again (see ``PrintPacket.stalled``); anything
    else is left alone."""
    stalled = Q(
        status__in=[PacketStatus.QUEUED, PacketStatus.BUILDING],
        updated_at__lt=timezone.now() - PACKET_STALL,
    )
    updated = PrintPacket.objects.filter(
        Q(status=PacketStatus.FAILED) | stalled, pk=packet.pk
    ).update(
        status=PacketStatus.QUEUED, error="", letters_done=0, pages=0, updated_at=timezone.now()
    )
    if updated:
        audit_event_record(
            action="delivery.packet_retry", subject=f"delivery.PrintPacket:{packet.pk}", actor=by
        )
        _enqueue(packet)
    return bool(updated)


def _progress(packet: PrintPacket, **fields: object) -> None:
    PrintPacket.objects.filter(pk=packet.pk).update(updated_at=timezone.now(), **fields)


def print_packet_render(*, packet_id: int) -> PrintPacket:
    """Render a queued packet in chunks of letters, recording progress after each;
    the letters become ``printed`` when the PDF is saved. A failure is recorded on
    the packet (with its reason) for the page to show and retry."""
    import weasyprint

    # One task builds a packet: it claims the queued row (a retried packet's old task,
    # or a task run twice, finds it claimed and stops).
    claimed = PrintPacket.objects.filter(pk=packet_id, status=PacketStatus.QUEUED).update(
        status=PacketStatus.BUILDING, updated_at=timezone.now()
    )
    packet = PrintPacket.objects.select_related("campaign", "jurisdiction").get(pk=packet_id)
    if not claimed:
        return packet
    # The order the letters were chosen in (selectors.print_letters).
    letters = list(
        packet.letters.select_related(
            "campaign", "target", "target__jurisdiction", "target__office"
        ).order_by("target__usps", "target__jurisdiction__name", "target__role", "target__title")
    )
    try:
        if not letters:
            raise DeliveryError(_("this packet has no letters left to print"))
        pages: list[object] = []
        first = None
        for i in range(0, len(letters), PACKET_CHUNK):
            chunk = letters[i : i + PACKET_CHUNK]
            document = weasyprint.HTML(
                string=letters_print_html(letters=chunk), base_url=str(settings.BASE_DIR)
            ).render()
            first = first or document
            pages.extend(document.pages)
            _progress(packet, letters_done=i + len(chunk), pages=len(pages))
        assert first is not None
        pdf = first.copy(pages).write_pdf()
    except Exception as exc:
        logger.exception("print packet %s failed", packet.pk)
        _progress(packet, status=PacketStatus.FAILED, error=str(exc) or type(exc).__name__)
        packet.refresh_from_db()
        return packet
    campaign, jurisdiction = packet.campaign, packet.jurisdiction
    name = f"{campaign.slug}-{packet.scope}-{jurisdiction.geoid if jurisdiction else 'all'}.pdf"
    packet.pdf.save(name, ContentFile(pdf), save=False)
    with transaction.atomic():
        _progress(
            packet,
            pdf=packet.pdf.name,
            pages=len(pages),
            letters_done=len(letters),
            status=PacketStatus.DONE,
        )
        Delivery.objects.filter(
            letter__in=letters, channel=Channel.PRINT, status=DeliveryStatus.QUEUED
        ).update(status=DeliveryStatus.PRINTED)
        audit_event_record(
            action="delivery.packet",
            subject=f"delivery.PrintPacket:{packet.pk}",
            actor=packet.created_by,
            message=f"{len(letters)} letters, {len(pages)} pages",
        )
    packet.refresh_from_db()
    return packet


def print_packet_build(
    *,
    campaign: Campaign,
    scope: str,
    jurisdiction: Jurisdiction | None = None,
    letters: Sequence[LetterCopy] | None = None,
    by: User = None,
) -> PrintPacket:
    """Build a packet now, in this process: the print channel's one-office packet,
    already inside a delivery task. Staff pages use ``print_packet_request``."""
    packet = _packet_create(
        campaign=campaign, scope=scope, jurisdiction=jurisdiction, letters=letters, by=by
    )
    packet = print_packet_render(packet_id=packet.pk)
    if packet.status == PacketStatus.FAILED:
        raise DeliveryError(packet.error)
    return packet


def delivery_mark(
    *, delivery: Delivery, status: str, on: date, organization: Organization | None, by: User = None
) -> bool:
    """Record a printed letter as delivered by hand or mailed."""
    if status not in (DeliveryStatus.DELIVERED_BY_HAND, DeliveryStatus.MAILED):
        raise DeliveryError("only delivered_by_hand or mailed can be marked by hand")
    updated = Delivery.objects.filter(
        pk=delivery.pk,
        channel=Channel.PRINT,
        status__in=[DeliveryStatus.QUEUED, DeliveryStatus.PRINTED],
    ).update(status=status, delivered_on=on, delivered_by=organization, sent_at=timezone.now())
    if updated:
        audit_event_record(
            action=f"delivery.{status}",
            subject=f"delivery.Delivery:{delivery.pk}",
            actor=by,
            message=f"{status} on {on.isoformat()}"
            + (f" by {organization}" if organization else ""),
        )
    return bool(updated)
