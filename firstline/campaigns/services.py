"""Writes for campaigns, organizations and signatures.

Every state change is a conditional update (``filter(pk=…, status=old)``)
whose row count tells whether this call made the change, so two staff
members, or a staff member and the purge job, cannot both act on one row.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core import signing
from django.db import IntegrityError, models, transaction
from django.db.models import QuerySet
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone, translation

from firstline.campaigns import abuse
from firstline.campaigns.models import (
    Campaign,
    CampaignStatus,
    Organization,
    OrganizationType,
    Signature,
    SignatureSource,
    SignatureStatus,
)
from firstline.campaigns.signals import signatories_changed
from firstline.campaigns.text import clean_text, name_key, similarity_key
from firstline.core.services import audit_event_record
from firstline.geo.models import Jurisdiction
from firstline.lib.crypto import lookup_hash, normalize_email
from firstline.mail.services import email_queue

User = AbstractBaseUser | AnonymousUser | None


class TransitionNotAllowed(Exception):
    pass


# --- Campaign status workflow ----------------------------------------------------

TRANSITIONS: dict[str, set[str]] = {
    CampaignStatus.DRAFT: {CampaignStatus.COLLECTING},
    CampaignStatus.COLLECTING: {
        CampaignStatus.DELIVERING,
        CampaignStatus.CLOSED,
        CampaignStatus.DRAFT,
    },
    CampaignStatus.DELIVERING: {CampaignStatus.CLOSED},
    CampaignStatus.CLOSED: set(),
}


def _campaign_transition(*, campaign: Campaign, to: str, actor: User) -> Campaign:
    allowed_from = [old for old, targets in TRANSITIONS.items() if to in targets]
    changed = Campaign.objects.filter(pk=campaign.pk, status__in=allowed_from).update(
        status=to, updated_at=timezone.now()
    )
    if not changed:
        current = Campaign.objects.filter(pk=campaign.pk).values_list("status", flat=True).first()
        raise TransitionNotAllowed(f"campaign {campaign.slug}: {current} → {to} is not allowed")
    old = campaign.status
    campaign.refresh_from_db(fields=["status", "updated_at"])
    audit_event_record(
        action=f"campaign.{to}",
        subject=f"campaigns.Campaign:{campaign.pk}",
        actor=actor,
        message=f"{old} → {to}",
    )
    return campaign


def campaign_open(*, campaign: Campaign, actor: User = None) -> Campaign:
    """draft → collecting: the public form starts accepting signatures."""
    if not campaign.letter_en.strip():
        raise TransitionNotAllowed("a campaign needs an English letter before it opens")
    return _campaign_transition(campaign=campaign, to=CampaignStatus.COLLECTING, actor=actor)


def campaign_unpublish(*, campaign: Campaign, actor: User = None) -> Campaign:
    """collecting → draft: a mistake caught early; signatures are kept."""
    return _campaign_transition(campaign=campaign, to=CampaignStatus.DRAFT, actor=actor)


def campaign_start_delivery(*, campaign: Campaign, actor: User = None) -> Campaign:
    """collecting → delivering: the signatory list is frozen for the letters."""
    return _campaign_transition(campaign=campaign, to=CampaignStatus.DELIVERING, actor=actor)


def campaign_close(*, campaign: Campaign, actor: User = None) -> Campaign:
    return _campaign_transition(campaign=campaign, to=CampaignStatus.CLOSED, actor=actor)


def campaign_accepts_signatures(*, campaign: Campaign, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    if campaign.status != CampaignStatus.COLLECTING:
        return False
    if campaign.opens_at and now < campaign.opens_at:
        return False
    return not (campaign.closes_at and now >= campaign.closes_at)


# --- Organizations ---------------------------------------------------------------


def organization_get_or_create(
    *,
    name: str,
    website: str = "",
    type: str = OrganizationType.LOCAL,
    home_jurisdiction: Jurisdiction | None = None,
) -> tuple[Organization, bool]:
    """Find the organization by its folded name and home, or create it.

    Safe under concurrency: the unique constraint decides the race; the loser
    re-reads the winner's row. A losing INSERT inside a savepoint leaves the
    caller's transaction usable.
    """
    name = clean_text(name, max_length=200)
    key = name_key(name)
    lookup = Organization.objects.filter(name_key=key, home_jurisdiction=home_jurisdiction)
    org = lookup.first()
    if org is not None:
        if org.merged_into_id:
            org = Organization.objects.get(pk=org.merged_into_id)
        if website and not org.website:
            Organization.objects.filter(pk=org.pk, website="").update(website=website)
            org.website = website
        return org, False
    try:
        with _atomic_if_nested():
            org = Organization.objects.create(
                name=name,
                name_key=key,
                similarity_key=similarity_key(name),
                website=website,
                type=type,
                home_jurisdiction=home_jurisdiction,
            )
    except IntegrityError:
        return lookup.get(), False
    return org, True


def _atomic_if_nested() -> Any:
    """A savepoint when inside a transaction (so a lost race does not poison
    it); nothing in autocommit mode, where the failed INSERT rolls back alone
    and a savepoint would only add round trips."""
    if transaction.get_connection().in_atomic_block:
        return transaction.atomic()
    return nullcontext()


def organization_near_duplicate(*, organization: Organization) -> Organization | None:
    """Another live organization with the same similarity key, the oldest first."""
    return (
        Organization.objects.filter(
            similarity_key=organization.similarity_key, merged_into__isnull=True
        )
        .exclude(pk=organization.pk)
        .order_by("pk")
        .first()
    )


def organization_merge(*, source: Organization, target: Organization, actor: User = None) -> int:
    """Move ``source``'s signatures to ``target``; returns how many moved.

    Where both organizations signed the same campaign with the same email,
    the target's signature wins and the source's is deleted, because the
    unique constraint allows only one. ``source`` is kept, pointing at the
    target, so later submissions under its name land on the target.
    """
    if source.pk == target.pk:
        return 0
    moved = 0
    with transaction.atomic():
        target_keys = set(
            Signature.objects.filter(organization=target).values_list("campaign_id", "email_hash")
        )
        # An approved signature moved to the target changes a letter's list of
        # signers; one deleted here announces itself (campaigns.signals).
        changed_lists = set()
        for sig in Signature.objects.filter(organization=source).select_for_update():
            if (sig.campaign_id, sig.email_hash) in target_keys:
                sig.delete()
                continue
            Signature.objects.filter(pk=sig.pk).update(organization=target, near_duplicate_of=None)
            moved += 1
            if sig.status == SignatureStatus.APPROVED:
                changed_lists.add(sig.campaign_id)
        if changed_lists:
            transaction.on_commit(lambda: _signatories_changed(changed_lists))
        Signature.objects.filter(near_duplicate_of=source).update(near_duplicate_of=None)
        Signature.objects.filter(organization=target, near_duplicate_of=source).update(
            near_duplicate_of=None
        )
        Organization.objects.filter(pk=source.pk).update(merged_into=target)
        if not target.website and source.website:
            Organization.objects.filter(pk=target.pk).update(website=source.website)
        audit_event_record(
            action="organization.merge",
            subject=f"campaigns.Organization:{target.pk}",
            actor=actor,
            message=f"merged organization {source.pk} into {target.pk}",
            data={"source": source.pk, "target": target.pk, "moved": moved},
        )
    return moved


# --- Signatures ------------------------------------------------------------------


@dataclass(frozen=True)
class SubmitResult:
    signature: Signature
    created: bool
    email_sent: bool


class CampaignNotCollecting(Exception):
    """The campaign stopped collecting (or its window closed) after the caller read it."""


class SignOnRefused(Exception):
    """The abuse screen refused the sign-on; its counters were still counted."""

    def __init__(self, verdict: abuse.Verdict) -> None:
        super().__init__(verdict)
        self.verdict = verdict


def _collecting(*, campaign: Campaign, now: datetime) -> bool:
    """Re-read in the sign-on's transaction: the caller's campaign may be a
    moment old, and a closed campaign takes no signature. The rule itself is
    ``campaign_accepts_signatures``'s."""
    fresh = Campaign.objects.only("status", "opens_at", "closes_at").filter(pk=campaign.pk).first()
    return fresh is not None and campaign_accepts_signatures(campaign=fresh, now=now)


def signature_submit(
    *,
    campaign: Campaign,
    org_name: str,
    org_website: str = "",
    org_type: str = OrganizationType.LOCAL,
    home_jurisdiction: Jurisdiction | None,
    contact_name: str,
    contact_email: str,
    contact_role: str = "",
    language: str = "en",
    screen: abuse.Screen | None = None,
) -> SubmitResult:
    """Create a pending signature, or update the one this organization and
    email already have; queue the verification email either way.

    One transaction: the abuse screen's counters (``screen``, from the public
    form), the organization, the signature and the outbox row commit together.
    A refused screen raises ``SignOnRefused`` after committing its counters
    only. The unique constraint on (campaign, organization, email_hash)
    settles a race between identical submissions: the loser's INSERT fails
    inside its savepoint and it then updates the winner's row, read with
    ``select_for_update`` so no ``submit_count`` is lost. Only a still-pending
    signature takes the new contact details; a confirmed one keeps what was
    confirmed (the new details are unproven), and the email just carries a
    fresh link. Raises ``CampaignNotCollecting``, writing nothing but the
    counters, when the campaign stopped collecting.
    """
    language = language if language in ("en", "es") else "en"
    email = normalize_email(contact_email)
    details = {
        "contact_name": clean_text(contact_name, max_length=120),
        "contact_role": clean_text(contact_role, max_length=120),
        "language": language,
    }
    verdict = abuse.Verdict.OK
    result = None
    with transaction.atomic():
        if screen is not None:
            # Counted in this transaction: one commit per sign-on. A client's
            # counter row stays locked until it commits, a few milliseconds.
            hits = abuse.counters_hit(windows=screen.windows)
            verdict = abuse.signon_screen_verdict(screen, hits)
        if verdict == abuse.Verdict.OK and _collecting(campaign=campaign, now=timezone.now()):
            org, org_created = organization_get_or_create(
                name=org_name,
                website=org_website,
                type=org_type,
                home_jurisdiction=home_jurisdiction,
            )
            result = _signature_store(
                campaign=campaign, org=org, org_created=org_created, email=email, details=details
            )
    if verdict != abuse.Verdict.OK:
        raise SignOnRefused(verdict)
    if result is None:
        raise CampaignNotCollecting(campaign.slug)
    return result


def _signature_store(
    *,
    campaign: Campaign,
    org: Organization,
    org_created: bool,
    email: str,
    details: dict[str, str],
) -> SubmitResult:
    if org_created:
        # Only a new organization can be a look-alike nobody has reviewed yet,
        # and nobody else can have signed for it: it is not committed yet.
        signature = Signature.objects.create(
            campaign=campaign,
            organization=org,
            email_hash=lookup_hash(email),
            contact_email=email,
            near_duplicate_of=organization_near_duplicate(organization=org),
            **details,
        )
        created = True
    else:
        signature, created = Signature.objects.select_for_update().get_or_create(
            campaign=campaign,
            organization=org,
            email_hash=lookup_hash(email),
            defaults={"contact_email": email, **details},
        )
    if not created:
        signature.submit_count += 1
        changed = ["submit_count", "updated_at"]
        if signature.status == SignatureStatus.PENDING:
            for name, value in details.items():
                setattr(signature, name, value)
            changed += list(details)
        signature.save(update_fields=changed)
    sent = signature.status != SignatureStatus.REJECTED
    if sent:
        signature_send_verification(signature=signature, campaign=campaign, organization=org)
    return SubmitResult(signature=signature, created=created, email_sent=sent)


_VERIFY_SALT = "campaigns.signature.verify"


def signature_token(*, signature: Signature) -> str:
    # The hash prefix ties the link to this contact: a merged or re-keyed row
    # with another email cannot be confirmed with an old link.
    return signing.TimestampSigner(salt=_VERIFY_SALT).sign(
        f"{signature.pk}.{signature.email_hash[:16]}"
    )


def signature_verify_url(*, signature: Signature) -> str:
    with translation.override(signature.language):
        path = reverse("campaigns:verify", kwargs={"token": signature_token(signature=signature)})
    return settings.SITE_URL + path


def _signer_email_queue(
    *,
    signature: Signature,
    campaign: Campaign,
    organization: Organization,
    template: str,
    kind: str,
    extra: dict[str, Any],
) -> None:
    """An email to the signer, in the language they signed in, through the outbox."""
    with translation.override(signature.language):
        title = campaign.localized_title()
        campaign_url = settings.SITE_URL + campaign.get_absolute_url()
    email_queue(
        to=[signature.contact_email],
        template=template,
        context={
            "organization_name": organization.name,
            "campaign_title": title,
            "campaign_url": campaign_url,
            "contact_name": signature.contact_name,
            **extra,
        },
        kind=kind,
        language=signature.language,
        sensitive=True,
    )


def signature_send_verification(
    *,
    signature: Signature,
    campaign: Campaign | None = None,
    organization: Organization | None = None,
) -> None:
    _signer_email_queue(
        signature=signature,
        campaign=campaign or signature.campaign,
        organization=organization or signature.organization,
        template="campaigns/email/verify",
        kind="signature_verify",
        extra={
            "verify_url": signature_verify_url(signature=signature),
            "max_age_hours": settings.SIGNATURE_VERIFY_MAX_AGE_HOURS,
            "already_confirmed": signature.status
            in (SignatureStatus.VERIFIED, SignatureStatus.APPROVED),
        },
    )


def signature_check_token(*, token: str) -> tuple[str, Signature | None]:
    """Resolve a link: ("ok" | "expired" | "invalid", signature)."""
    signer = signing.TimestampSigner(salt=_VERIFY_SALT)
    try:
        value = signer.unsign(
            token, max_age=timedelta(hours=settings.SIGNATURE_VERIFY_MAX_AGE_HOURS)
        )
    except signing.SignatureExpired:
        return "expired", None
    except signing.BadSignature:
        return "invalid", None
    pk, _, hash_prefix = value.partition(".")
    signature = (
        Signature.objects.select_related("campaign", "organization")
        .filter(pk=int(pk) if pk.isdigit() else 0)
        .first()
    )
    if signature is None or signature.email_hash[:16] != hash_prefix:
        return "invalid", None
    return "ok", signature


def signature_verify(*, token: str) -> tuple[str, Signature | None]:
    """pending → verified. Returns ("verified" | "already" | "expired" | "invalid", signature)."""
    outcome, signature = signature_check_token(token=token)
    if signature is None:
        return outcome, None
    changed = Signature.objects.filter(pk=signature.pk, status=SignatureStatus.PENDING).update(
        status=SignatureStatus.VERIFIED, verified_at=timezone.now(), updated_at=timezone.now()
    )
    signature.refresh_from_db()
    return ("verified" if changed else "already"), signature


def _decide(
    *, signatures: QuerySet[Signature], to: str, actor: User, allowed_from: list[str]
) -> int:
    now = timezone.now()
    user = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        pks = list(signatures.filter(status__in=allowed_from).values_list("pk", flat=True))
        # Approving, or taking back an approval, changes the list under the letters.
        list_changes = to == SignatureStatus.APPROVED or (
            Signature.objects.filter(pk__in=pks, status=SignatureStatus.APPROVED).exists()
        )
        changed = Signature.objects.filter(pk__in=pks, status__in=allowed_from).update(
            status=to, decided_at=now, decided_by=user, updated_at=now
        )
        if changed:
            campaign_ids = set(
                Signature.objects.filter(pk__in=pks).values_list("campaign_id", flat=True)
            )
            if list_changes:
                transaction.on_commit(lambda: _signatories_changed(campaign_ids))
            audit_event_record(
                action=f"signature.{to}",
                subject="campaigns.Signature:" + (str(pks[0]) if len(pks) == 1 else "bulk"),
                actor=actor,
                message=f"{changed} signature(s) {to}",
                data={"ids": pks[:500]},
            )
    return changed


def _signatories_changed(campaign_ids: set[int]) -> None:
    for campaign_id in sorted(campaign_ids):
        signatories_changed.send(sender=Campaign, campaign_id=campaign_id)


def signature_approve(*, signatures: QuerySet[Signature], actor: User = None) -> int:
    """verified → approved (bulk). Pending ones are skipped: the contact has
    not proven the email yet. Each newly approved signer is told, in the
    language they signed in, through the outbox (in the same transaction, so
    an approval that rolls back sends nothing). Returns how many changed."""
    allowed: list[str] = [SignatureStatus.VERIFIED, SignatureStatus.REJECTED]
    with transaction.atomic():
        # Locked so two staff approving at once cannot both email the signer.
        # By id: the caller's queryset may be annotated or distinct (the admin's
        # is), which PostgreSQL refuses to lock.
        pks = list(signatures.filter(status__in=allowed).values_list("pk", flat=True))
        newly = list(
            Signature.objects.filter(pk__in=pks, status__in=allowed)
            .select_for_update(of=("self",))
            .select_related("campaign", "organization")
        )
        changed = _decide(
            signatures=Signature.objects.filter(pk__in=[s.pk for s in newly]),
            to=SignatureStatus.APPROVED,
            actor=actor,
            allowed_from=allowed,
        )
        for signature in newly:
            signature_send_approved(signature=signature)
    return changed


def signature_send_approved(*, signature: Signature) -> None:
    _signer_email_queue(
        signature=signature,
        campaign=signature.campaign,
        organization=signature.organization,
        template="campaigns/email/approved",
        kind="signature_approved",
        extra={},
    )


def signature_reject(*, signatures: QuerySet[Signature], actor: User = None) -> int:
    return _decide(
        signatures=signatures,
        to=SignatureStatus.REJECTED,
        actor=actor,
        allowed_from=[SignatureStatus.PENDING, SignatureStatus.VERIFIED, SignatureStatus.APPROVED],
    )


def signature_dismiss_duplicate(*, signatures: QuerySet[Signature], actor: User = None) -> int:
    return signatures.exclude(near_duplicate_of=None).update(near_duplicate_of=None)


def signatures_merge_near_duplicates(*, signatures: QuerySet[Signature], actor: User = None) -> int:
    """Merge each flagged signature's organization into the one it looks like;
    returns how many signatures moved."""
    moved = 0
    for sig in signatures.exclude(near_duplicate_of=None).select_related(
        "organization", "near_duplicate_of"
    ):
        assert sig.near_duplicate_of is not None
        moved += organization_merge(
            source=sig.organization, target=sig.near_duplicate_of, actor=actor
        )
    return moved


def signatures_purge(*, now: datetime | None = None, days: int | None = None) -> int:
    """Delete pending (never confirmed) signatures older than SIGNATURE_PURGE_DAYS
    and organizations left with no signature and no campaign."""
    now = now or timezone.now()
    days = settings.SIGNATURE_PURGE_DAYS if days is None else days
    cutoff = now - timedelta(days=days)
    with transaction.atomic():
        deleted, _ = Signature.objects.filter(
            status=SignatureStatus.PENDING, created_at__lt=cutoff
        ).delete()
        orphans = Organization.objects.filter(
            signatures__isnull=True,
            organized_campaigns__isnull=True,
            merged_from__isnull=True,
            created_at__lt=cutoff,
        )
        orphans.delete()
        if deleted:
            audit_event_record(
                action="signature.purge",
                subject="campaigns.Signature:purge",
                actor_label="purge_signatures",
                message=f"deleted {deleted} pending signature(s) older than {days} days",
            )
    return deleted


def signature_import_row(
    *,
    campaign: Campaign,
    org_name: str,
    org_website: str,
    org_type: str,
    home_jurisdiction: Jurisdiction | None,
    contact_name: str,
    contact_email: str,
    contact_role: str,
    language: str,
) -> str:
    """Upsert one imported signatory as verified (not approved). Returns
    "inserted", "updated" or "noop". Imports send no email: the exporting tool
    already confirmed these addresses."""
    email = normalize_email(contact_email)
    email_hash = lookup_hash(email)
    org, _ = organization_get_or_create(
        name=org_name, website=org_website, type=org_type, home_jurisdiction=home_jurisdiction
    )
    fields = {
        "contact_name": clean_text(contact_name, max_length=120),
        "contact_role": clean_text(contact_role, max_length=120),
        "language": language if language in ("en", "es") else "en",
    }
    existing = Signature.objects.filter(
        campaign=campaign, organization=org, email_hash=email_hash
    ).first()
    if existing is None:
        Signature.objects.create(
            campaign=campaign,
            organization=org,
            email_hash=email_hash,
            contact_email=email,
            status=SignatureStatus.VERIFIED,
            source=SignatureSource.IMPORT,
            verified_at=timezone.now(),
            near_duplicate_of=organization_near_duplicate(organization=org),
            **fields,
        )
        return "inserted"
    changes: dict[str, Any] = {k: v for k, v in fields.items() if getattr(existing, k) != v}
    if existing.status == SignatureStatus.PENDING:
        changes.update(status=SignatureStatus.VERIFIED, verified_at=timezone.now())
    if not changes:
        return "noop"
    Signature.objects.filter(pk=existing.pk).update(**changes, updated_at=timezone.now())
    return "updated"


def _ciphertext(value: str) -> models.Value:
    # A plain text value: the encrypted field would encrypt it a second time.
    return models.Value(value, output_field=models.TextField())


def signature_rotate_keys(*, rehash: bool = False, batch_size: int = 500) -> dict[str, int]:
    """Re-encrypt contact fields under the newest key, in batches, one
    transaction per batch so a long run holds no long lock.

    Reads the stored ciphertext (cast to text: the field itself would
    decrypt), so a row is rewritten only if it is not under the newest key.
    """
    from firstline.lib import crypto

    result = {"total": 0, "reencrypted": 0, "current": 0, "rehashed": 0}
    last_pk = 0
    while True:
        with transaction.atomic():
            rows = list(
                Signature.objects.filter(pk__gt=last_pk)
                .order_by("pk")
                .values_list(
                    "pk",
                    Cast("contact_name", models.TextField()),
                    Cast("contact_email", models.TextField()),
                    "email_hash",
                )[:batch_size]
            )
            if not rows:
                break
            for pk, name_ct, email_ct, email_hash in rows:
                last_pk = pk
                result["total"] += 1
                updates: dict[str, Any] = {}
                if not (crypto.is_current_key(name_ct) and crypto.is_current_key(email_ct)):
                    updates["contact_name"] = _ciphertext(crypto.reencrypt(name_ct))
                    updates["contact_email"] = _ciphertext(crypto.reencrypt(email_ct))
                    result["reencrypted"] += 1
                else:
                    result["current"] += 1
                if rehash:
                    new_hash = crypto.lookup_hash(crypto.decrypt(email_ct))
                    if new_hash != email_hash:
                        updates["email_hash"] = new_hash
                        result["rehashed"] += 1
                if updates:
                    Signature.objects.filter(pk=pk).update(**updates)
    return result
