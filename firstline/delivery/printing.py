"""Print: PDF packets of letters, and marking printed letters as handed over or mailed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from firstline.campaigns.models import Campaign, Organization
from firstline.core.services import audit_event_record
from firstline.geo.models import Jurisdiction

from . import selectors
from .base import DeliveryError, User, signed_in
from .letters import jurisdiction_name, letter_title
from .models import Channel, Delivery, DeliveryStatus, LetterCopy, PacketScope, PrintPacket


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


def print_packet_build(
    *,
    campaign: Campaign,
    scope: str,
    jurisdiction: Jurisdiction | None = None,
    letters: Sequence[LetterCopy] | None = None,
    by: User = None,
) -> PrintPacket:
    """A PDF packet: one office's letter, or every letter to print in a county or state."""
    if letters is None:
        letters = list(
            selectors.print_letters(campaign=campaign, jurisdiction=jurisdiction).select_related(
                "campaign"
            )
        )
    if not letters:
        raise DeliveryError("no letters to print here")
    if scope == PacketScope.OFFICE and len(letters) != 1:
        raise DeliveryError("an office packet holds one letter")
    pdf, pages = letters_pdf(letters=letters)
    packet = PrintPacket(campaign=campaign, scope=scope, jurisdiction=jurisdiction, pages=pages)
    packet.created_by = signed_in(by)
    name = f"{campaign.slug}-{scope}-{jurisdiction.geoid if jurisdiction else 'all'}.pdf"
    packet.pdf.save(name, ContentFile(pdf), save=False)
    with transaction.atomic():
        packet.save()
        packet.letters.set(letters)
        Delivery.objects.filter(
            letter__in=letters, channel=Channel.PRINT, status=DeliveryStatus.QUEUED
        ).update(status=DeliveryStatus.PRINTED)
        audit_event_record(
            action="delivery.packet",
            subject=f"delivery.PrintPacket:{packet.pk}",
            actor=by,
            message=f"{len(letters)} letters, {pages} pages",
        )
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
