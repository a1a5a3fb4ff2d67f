"""Writing to an official as a resident: compose, preview, send, count.

What is written, and for how long (docs/residents.md, the privacy page):

* the message itself, as one ``mail.Email`` row addressed to the official. It
  holds the resident's name or email only if they chose to include them (never
  in minimal mode) and never their ZIP. When the message leaves the machine the
  mail service blanks recipients and bodies, and ``resident_messages_purge``
  deletes the row; in the default outbox mode the row *is* the delivered copy
  and is deleted after ``OUTBOX_KEEP_DAYS``.
* one increment of ``ResidentMessageCount`` (campaign, office, day).

Routing follows the same two keys as campaign delivery: the message leaves the
machine only when ``DELIVERY_MODE`` is not ``outbox`` *and* the campaign's
delivery switch is on. Messages written from the lookup page, outside any
campaign, have no switch and need ``RESIDENTS_EXTERNAL_DELIVERY`` (off unless
set) instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from firstline.campaigns.letters import letter_render
from firstline.geo.names import jurisdiction_display_name
from firstline.lib.dbscrub import db_scrub_after_purge
from firstline.mail.models import Email, EmailStatus
from firstline.mail.services import email_queue_rendered, email_render
from firstline.officials.roles import role_info
from firstline.officials.titles import office_display_title
from firstline.residents import integrations
from firstline.residents.models import MessageChannel, ResidentMessageCount
from firstline.residents.selectors import Gap, OfficeView, gap_from, scorecards

MESSAGE_KIND = "resident_message"
MESSAGE_TEMPLATE = "residents/email/message"
NOTE_MAX = 2000
OUTBOX_KEEP_DAYS = 30


class MessageRefused(ValueError):
    pass


@dataclass(frozen=True)
class Sender:
    """Who the resident says they are. In minimal mode both are always empty."""

    name: str = ""
    email: str = ""
    minimal: bool = True

    @classmethod
    def build(cls, *, name: str, email: str, minimal: bool) -> Sender:
        if minimal:
            return cls(minimal=True)
        return cls(name=name.strip()[:120], email=email.strip()[:254], minimal=False)


@dataclass(frozen=True)
class Composed:
    subject: str
    text: str
    html: str
    language: str
    gaps: list[Gap]


def office_gaps(*, view: OfficeView, campaign: Any = None) -> list[Gap]:
    """The gaps of the office's own jurisdiction, narrowed to the campaign's asks."""
    jurisdiction = view.office.jurisdiction
    card = scorecards([jurisdiction]).get(jurisdiction.pk)
    if not card:
        return []
    gaps = [gap_from(g, jurisdiction.kind, usps=jurisdiction.usps) for g in card["gaps"]]
    if campaign is not None:
        asks = set(campaign.asks.values_list("slug", flat=True))
        if asks:
            gaps = [g for g in gaps if g.slug in asks]
    return gaps


def _salutation(view: OfficeView, language: str) -> str:
    """From the ROLES table: "Dear Sheriff Garcia", or the office by its title when no
    single holder is known ("Dear Members of the Harris County Commissioners Court")."""
    name = view.holders[0] if len(view.holders) == 1 else ""
    return role_info(view.office.role).salutation(
        language=language,
        title=office_display_title(view.office, language),
        name=name,
        family_name=name.split()[-1] if name else "",
    )


def message_compose(
    *, view: OfficeView, campaign: Any = None, language: str, note: str, sender: Sender
) -> Composed:
    """Exactly what the official will receive (the preview shows this, verbatim)."""
    language = language if language in ("en", "es") else "en"
    note = (note or "").strip()[:NOTE_MAX]
    with translation.override(language):
        gaps = office_gaps(view=view, campaign=campaign)
        jurisdiction = view.office.jurisdiction
        gap_lines = "\n".join(f"- {g.name}" + (f": {g.summary}" if g.summary else "") for g in gaps)
        context = {
            "official": {
                "title": office_display_title(view.office, language),
                "name": ", ".join(view.holders),
            },
            "salutation": _salutation(view, language),
            "jurisdiction": {"name": str(jurisdiction)},
            "gaps": gap_lines,
            "gap_list": gaps,
            "signatory_count": 0,
        }
        letter = campaign.letter_for(language) if campaign is not None else ""
        if letter.strip():
            # The campaign's own placeholder renderer, as for its letters to
            # officials: a letter is text with {{ placeholders }}, never a
            # Django template (a template could include files or run tags).
            body = letter_render(
                template=letter,
                values={
                    "official.title": office_display_title(view.office, language),
                    "official.name": ", ".join(view.holders),
                    "official.salutation": _salutation(view, language),
                    "jurisdiction.name": str(jurisdiction),
                    "gaps": [g.name for g in gaps],
                    "signatory_count": "0",
                    "campaign.title": (campaign.title_es if language == "es" else "")
                    or campaign.title,
                },
            ).text
        else:
            body = render_to_string("residents/email/default_body.txt", context)
        subject, text, html = email_render(
            template=MESSAGE_TEMPLATE,
            context={**context, "body": body.strip(), "note": note, "sender": sender},
            language=language,
        )
    return Composed(subject=subject, text=text, html=html, language=language, gaps=gaps)


def external_allowed(*, campaign: Any) -> bool:
    if campaign is None:
        return bool(getattr(settings, "RESIDENTS_EXTERNAL_DELIVERY", False))
    return integrations.campaign_external_allowed(campaign)


def message_count_increment(*, office_id: int, campaign_slug: str, day: Any = None) -> None:
    day = day or timezone.localdate()
    match = Q(
        day=day, office_id=office_id, campaign_slug=campaign_slug, channel=MessageChannel.EMAIL
    )
    if ResidentMessageCount.objects.filter(match).update(count=F("count") + 1):
        return
    try:
        with transaction.atomic():
            ResidentMessageCount.objects.create(
                day=day, office_id=office_id, campaign_slug=campaign_slug, count=1
            )
    except IntegrityError:
        # Another request created today's row between our update and insert.
        ResidentMessageCount.objects.filter(match).update(count=F("count") + 1)


def resident_message_send(
    *, view: OfficeView, campaign: Any = None, language: str, note: str, sender: Sender
) -> Email:
    """Queue the message to the official, by the delivery rules; count it."""
    if not view.emails:
        raise MessageRefused("this office has no email address")
    composed = message_compose(
        view=view, campaign=campaign, language=language, note=note, sender=sender
    )
    to = view.emails[:1]
    leaves = settings.DELIVERY_MODE != "outbox" and external_allowed(campaign=campaign)
    with transaction.atomic():
        if leaves:
            # The mail service routes by DELIVERY_MODE; we have already checked the
            # campaign switch, the second key.
            email = email_queue_rendered(
                to=to,
                subject=composed.subject,
                text=composed.text,
                html=composed.html,
                kind=MESSAGE_KIND,
                language=composed.language,
            )
        else:
            # Outbox: the row is the delivered copy, visible to staff in the outbox.
            email = Email.objects.create(
                kind=MESSAGE_KIND,
                status=EmailStatus.SENT,
                mode="outbox",
                to=", ".join(to),
                from_email=settings.DEFAULT_FROM_EMAIL,
                subject=composed.subject[:300],
                text=composed.text,
                html=composed.html,
                language=composed.language,
                sensitive=True,
                sent_at=timezone.now(),
            )
        message_count_increment(
            office_id=view.office.pk, campaign_slug=campaign.slug if campaign is not None else ""
        )
    return email


def resident_messages_purge(*, now: Any = None) -> int:
    """Delete resident messages that have left the machine (already blanked by the
    mail service), and outbox copies older than OUTBOX_KEEP_DAYS."""
    now = now or timezone.now()
    old = now - timedelta(days=OUTBOX_KEEP_DAYS)
    deleted, _ = (
        Email.objects.filter(kind=MESSAGE_KIND)
        .filter(
            Q(status=EmailStatus.SENT) & ~Q(mode="outbox")
            | Q(created_at__lt=old) & ~Q(status__in=[EmailStatus.QUEUED, EmailStatus.SENDING])
        )
        .delete()
    )
    if deleted:
        db_scrub_after_purge()
    return deleted


def call_ask_pick(*, gaps: list[Gap], picked: str = "", campaign: Any = None) -> Gap | None:
    """One ask per call: the resident's pick, else the campaign's first ask, else the top gap."""
    by_slug = {g.slug: g for g in gaps}
    if picked in by_slug:
        return by_slug[picked]
    if campaign is not None:
        for slug in campaign.asks.values_list("slug", flat=True):
            if slug in by_slug:
                return by_slug[slug]
    return gaps[0] if gaps else None


def render_call_script(*, view: OfficeView, ask: Gap | None, language: str) -> str:
    """About 60 words: who is calling (name optional), one ask, the resident's own
    words, then thanks."""
    with translation.override(language):
        return render_to_string(
            "residents/call_script.txt",
            {"ask": ask, "place": jurisdiction_display_name(view.office.jurisdiction)},
        ).strip()
