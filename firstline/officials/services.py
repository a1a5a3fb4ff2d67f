"""Writes for the roster drive: invitations, proposed changes, and their review.

A partner organization gets a single-use, expiring link (only its hash is
stored); each office it fills in becomes a pending ``RosterChange`` that a
reviewer accepts (writing Person, Term and ContactPoints with ``verified_on``,
the reviewer and the source) or rejects. Every step is an AuditEvent.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.auth.models import User as AuthUser
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from firstline.core.services import audit_event_record
from firstline.geo.models import Jurisdiction
from firstline.officials.models import (
    ContactKind,
    ContactPoint,
    Office,
    Person,
    RosterChange,
    RosterChangeStatus,
    RosterInvite,
    Term,
)

ROSTER_SOURCE = "roster drive"
CONTACT_CLASSIFICATION = "roster"
User = AbstractBaseUser | AnonymousUser


def _staff(user: User | None) -> AuthUser | None:
    """The acting staff user, if a real one (anonymous and system actions record none)."""
    return user if isinstance(user, AuthUser) and user.is_authenticated else None


class RosterLinkRefused(Exception):
    """An invitation link that cannot be used; ``reason`` is unknown, expired or used."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Proposal:
    """What a partner or resident proposes for one office."""

    holder_name: str = ""
    email: str = ""
    phone: str = ""
    postal_address: str = ""
    source_url: str = ""

    @property
    def empty(self) -> bool:
        return not (self.holder_name or self.email or self.phone or self.postal_address)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def roster_invite_create(
    *,
    jurisdictions: Iterable[Jurisdiction],
    organization_name: str,
    organization_email: str,
    created_by: User | None,
    days: int | None = None,
    offices: Iterable[Office] = (),
) -> tuple[RosterInvite, str]:
    """A new invitation and its token (shown once, in the link; never stored)."""
    token = secrets.token_urlsafe(32)
    invite = RosterInvite.objects.create(
        organization_name=organization_name,
        organization_email=organization_email,
        token_hash=_token_hash(token),
        expires_at=timezone.now() + dt.timedelta(days=days or settings.ROSTER_INVITE_DAYS),
        created_by=_staff(created_by),
    )
    invite.jurisdictions.set(list(jurisdictions))
    invite.offices.set(list(offices))
    audit_event_record(
        action="roster.invite",
        subject=f"officials.RosterInvite:{invite.pk}",
        actor=created_by,
        message=f"Invited {organization_name} <{organization_email}>",
        data={"jurisdictions": [j.ocd_id for j in invite.jurisdictions.all()]},
    )
    return invite, token


def roster_invite_check(*, token: str) -> RosterInvite:
    """The usable invitation for ``token``, or RosterLinkRefused."""
    invite = RosterInvite.objects.filter(token_hash=_token_hash(token)).first()
    if invite is None:
        raise RosterLinkRefused("unknown")
    if invite.used_at is not None:
        raise RosterLinkRefused("used")
    if invite.expires_at <= timezone.now():
        raise RosterLinkRefused("expired")
    return invite


def roster_invite_offices(*, invite: RosterInvite) -> QuerySet[Office]:
    """The invitation's offices, or every office of its jurisdictions (with the districts
    that cover them)."""
    if invite.offices.exists():
        return invite.offices.select_related("jurisdiction")
    jurisdictions = list(invite.jurisdictions.all())
    return (
        Office.objects.filter(
            Q(jurisdiction__in=jurisdictions) | Q(covers__in=jurisdictions), district__isnull=True
        )
        .distinct()
        .select_related("jurisdiction")
    )


def _current(office: Office) -> dict[str, str]:
    term = (
        office.terms.filter(end_date__isnull=True)
        .select_related("person")
        .order_by("-start_date")
        .first()
    )
    contacts: list[ContactPoint] = list(office.contacts.all())
    if term is not None:
        contacts = list(term.person.contacts.all()) + contacts
    first = {kind: next((c.value for c in contacts if c.kind == kind), "") for kind in ContactKind}
    return {
        "holder_name": term.person.name if term else "",
        "email": first[ContactKind.EMAIL],
        "phone": first[ContactKind.PHONE],
        "postal_address": first[ContactKind.ADDRESS],
    }


def roster_change_diff(*, office: Office, proposal: Proposal) -> dict[str, list[str]]:
    """field -> [current, proposed] for every field the proposal fills in differently."""
    current = _current(office)
    return {
        name: [current[name], value]
        for name, value in (
            ("holder_name", proposal.holder_name),
            ("email", proposal.email),
            ("phone", proposal.phone),
            ("postal_address", proposal.postal_address),
        )
        if value and value.strip().casefold() != current[name].strip().casefold()
    }


def roster_change_submit(
    *,
    office: Office,
    proposal: Proposal,
    invite: RosterInvite | None = None,
    submitted_by_label: str = "",
) -> RosterChange:
    change = RosterChange.objects.create(
        office=office,
        invite=invite,
        submitted_by_label=submitted_by_label[:200],
        holder_name=proposal.holder_name,
        email=proposal.email,
        phone=proposal.phone,
        postal_address=proposal.postal_address,
        source_url=proposal.source_url,
        diff=roster_change_diff(office=office, proposal=proposal),
    )
    audit_event_record(
        action="roster.change.submit",
        subject=f"officials.RosterChange:{change.pk}",
        actor_label=submitted_by_label or "public suggestion",
        message=f"Proposed for {office.title}",
        data={"office": office.pk, "diff": change.diff},
    )
    return change


@transaction.atomic
def roster_invite_submit(
    *, invite: RosterInvite, proposals: dict[int, Proposal]
) -> list[RosterChange]:
    """Record the partner's entries as pending changes and spend the link, all or nothing."""
    locked = RosterInvite.objects.select_for_update().get(pk=invite.pk)
    if locked.used_at is not None:
        raise RosterLinkRefused("used")
    offices = {o.pk: o for o in roster_invite_offices(invite=locked)}
    changes = [
        roster_change_submit(
            office=offices[pk],
            proposal=proposal,
            invite=locked,
            submitted_by_label=locked.organization_name,
        )
        for pk, proposal in sorted(proposals.items())
        if pk in offices and not proposal.empty
    ]
    locked.used_at = timezone.now()
    locked.save(update_fields=["used_at"])
    return changes


def _holder(change: RosterChange, today: dt.date) -> Person | None:
    """The proposed holder as the seat's current holder; other open terms end today."""
    if not change.holder_name:
        current = change.office.terms.filter(end_date__isnull=True).select_related("person")
        term = current.order_by("-start_date").first()
        return term.person if term else None
    open_terms = change.office.terms.filter(end_date__isnull=True).select_related("person")
    same = next(
        (t for t in open_terms if t.person.name.casefold() == change.holder_name.casefold()), None
    )
    if same is not None:
        Term.objects.filter(pk=same.pk).update(verified_on=today)
        person = same.person
    else:
        basis = f"{change.office.pk}|{change.holder_name.casefold()}"
        words = change.holder_name.split()
        person, _created = Person.objects.get_or_create(
            ocd_person_id="roster:" + hashlib.sha256(basis.encode()).hexdigest()[:24],
            defaults={
                "name": change.holder_name,
                "given_name": words[0] if len(words) > 1 else "",
                "family_name": words[-1],
                "sources": [{"url": change.source_url}],
            },
        )
        term, _created = Term.objects.get_or_create(
            person=person,
            office=change.office,
            start_date=today,
            defaults={"source": f"{ROSTER_SOURCE} {change.source_url}"[:500]},
        )
        Term.objects.filter(pk=term.pk).update(end_date=None, end_reason="", verified_on=today)
    open_terms.exclude(person=person).update(
        end_date=today, end_reason=f"Replaced in the roster drive (change {change.pk})"
    )
    return person


@transaction.atomic
def roster_change_accept(*, change: RosterChange, reviewer: User) -> RosterChange:
    """Write the change: holder, then contacts on the holder (or the office), verified today."""
    change = RosterChange.objects.select_for_update().select_related("office").get(pk=change.pk)
    if change.status != RosterChangeStatus.PENDING:
        return change
    today = timezone.localdate()
    person = _holder(change, today)
    owner = {"person": person} if person is not None else {"office": change.office}
    user = _staff(reviewer)
    for kind, value in (
        (ContactKind.EMAIL, change.email),
        (ContactKind.PHONE, change.phone),
        (ContactKind.ADDRESS, change.postal_address),
    ):
        if value:
            ContactPoint.objects.update_or_create(
                kind=kind,
                classification=CONTACT_CLASSIFICATION,
                value=value,
                **owner,
                defaults={"source": change.source_url, "verified_on": today, "verified_by": user},
            )
    return _decided(change, status=RosterChangeStatus.ACCEPTED, reviewer=reviewer)


@transaction.atomic
def roster_change_reject(*, change: RosterChange, reviewer: User) -> RosterChange:
    change = RosterChange.objects.select_for_update().get(pk=change.pk)
    if change.status != RosterChangeStatus.PENDING:
        return change
    return _decided(change, status=RosterChangeStatus.REJECTED, reviewer=reviewer)


def _decided(change: RosterChange, *, status: str, reviewer: User) -> RosterChange:
    change.status = status
    change.reviewed_by = _staff(reviewer)
    change.reviewed_at = timezone.now()
    change.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    audit_event_record(
        action=f"roster.change.{'accept' if status == RosterChangeStatus.ACCEPTED else 'reject'}",
        subject=f"officials.RosterChange:{change.pk}",
        actor=reviewer,
        message=f"{status} for office {change.office_id}",
        data={"office": change.office_id, "diff": change.diff},
    )
    return change


def roster_invite_send(*, invite: RosterInvite, link: str, language: str = "en") -> None:
    """Email the partner its link (queued on the outbox with this transaction)."""
    from firstline.mail.services import email_queue

    email_queue(
        to=[invite.organization_email],
        template="officials/email/roster_invite",
        context={"invite": invite, "link": link, "jurisdictions": list(invite.jurisdictions.all())},
        kind="roster_invite",
        language=language,
    )
