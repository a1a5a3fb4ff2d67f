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
from django.db import IntegrityError, connection, models, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation

from firstline.campaigns.intake import intake_purge_failed
from firstline.campaigns.models import (
    Campaign,
    CampaignStatus,
    Organization,
    OrganizationType,
    Signature,
    SignatureSource,
    SignatureStatus,
)
from firstline.campaigns.selectors import campaign_memo_clear
from firstline.campaigns.text import clean_text, name_key, similarity_key
from firstline.core.services import audit_event_record
from firstline.geo.models import Jurisdiction
from firstline.lib.crypto import decrypt, lookup_hash, normalize_email
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
    campaign_memo_clear()
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
        for sig in Signature.objects.filter(organization=source).select_for_update():
            if (sig.campaign_id, sig.email_hash) in target_keys:
                sig.delete()
                continue
            Signature.objects.filter(pk=sig.pk).update(organization=target, near_duplicate_of=None)
            moved += 1
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
    """The campaign stopped collecting (or its window closed) before the insert."""


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _db_value(model: type[models.Model], field: str, value: Any) -> Any:
    """``value`` as the ORM would send it for ``model.field`` (encrypts, formats dates)."""
    concrete = model._meta.get_field(field)
    assert isinstance(concrete, models.Field)
    return concrete.get_db_prep_save(value, connection)


def _organization_upsert(
    *, name: str, website: str, type: str, home_jurisdiction_id: int | None, now: datetime
) -> tuple[Organization, bool, int | None]:
    """Insert the organization or find the one with its folded name and home.

    Returns (organization, created, id of an older look-alike when created).
    Insert first: the partial unique index decides a race (on PostgreSQL a
    second INSERT waits for the first transaction, then finds the conflict),
    and the look-alike lookup rides in the RETURNING clause, so a new
    organization costs one round trip. The organization object carries only
    id and name, which is all the sign-on needs.
    """
    table = _q(Organization._meta.db_table)
    key = name_key(name)
    if home_jurisdiction_id is None:
        target = "(name_key) WHERE home_jurisdiction_id IS NULL"
    else:
        target = "(name_key, home_jurisdiction_id) WHERE home_jurisdiction_id IS NOT NULL"
    similar = similarity_key(name)
    sql = (
        f"INSERT INTO {table} (name, name_key, similarity_key, website, type, "  # noqa: S608
        "home_jurisdiction_id, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s) "
        f"ON CONFLICT {target} DO NOTHING "
        f"RETURNING id, (SELECT o.id FROM {table} o WHERE o.similarity_key = %s "
        f"AND o.merged_into_id IS NULL AND o.id <> {table}.id ORDER BY o.id LIMIT 1)"
    )
    created_at = _db_value(Organization, "created_at", now)
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [name, key, similar, website, type, home_jurisdiction_id, created_at, similar]
        )
        row = cursor.fetchone()
    if row is not None:
        return Organization(pk=row[0], name=name), True, row[1]
    found = (
        Organization.objects.filter(name_key=key, home_jurisdiction_id=home_jurisdiction_id)
        .select_related("merged_into")
        .only("name", "website", "merged_into__name", "merged_into__website")
        .get()
    )
    # Merged organizations keep their name so later submissions under it land
    # on the survivor.
    org = found.merged_into or found
    if website and not org.website:
        Organization.objects.filter(pk=org.pk, website="").update(website=website)
    return Organization(pk=org.pk, name=org.name), False, None


def signature_submit(*, home_jurisdiction: Jurisdiction | None, **fields: Any) -> SubmitResult:
    """``signature_apply`` for callers holding a Jurisdiction (seeding, tests)."""
    return signature_apply(
        home_jurisdiction_id=home_jurisdiction.pk if home_jurisdiction else None, **fields
    )


def signature_apply(
    *,
    campaign: Campaign,
    org_name: str,
    org_website: str = "",
    org_type: str = OrganizationType.LOCAL,
    home_jurisdiction_id: int | None,
    contact_name: str,
    contact_email: str,
    contact_role: str = "",
    language: str = "en",
    received_at: datetime | None = None,
) -> SubmitResult:
    """Create a pending signature, or update the existing one for this
    organization and email; queue the verification email either way.

    One transaction: the organization, the signature and the outbox row
    commit together (the mail app then enqueues its task). The signature is
    one INSERT … ON CONFLICT DO UPDATE on (campaign, organization, email_hash):
    the unique index settles a race between identical submissions and the
    conflicting row is locked while it is updated, so neither a signature nor
    a ``submit_count`` is lost. Only a still-pending signature takes the new
    contact details; a verified or approved one keeps what was confirmed (the
    new details are unproven), and the email just carries a fresh link.
    The insert also re-checks that the campaign is collecting, so a campaign
    closed a moment ago takes no signature (raises ``CampaignNotCollecting``).
    ``received_at`` (default now) is when the person signed: the sign-on
    window is checked against it, so a form accepted a second before the
    window closed still counts when the worker applies it after.
    """
    language = language if language in ("en", "es") else "en"
    email = normalize_email(contact_email)
    email_hash = lookup_hash(email)
    name = clean_text(contact_name, max_length=120)
    role = clean_text(contact_role, max_length=120)
    now = received_at or timezone.now()
    table = _q(Signature._meta.db_table)
    campaigns_table = _q(Campaign._meta.db_table)

    def prep(field: str, value: Any) -> Any:
        return _db_value(Signature, field, value)

    with transaction.atomic():
        org, org_created, near_duplicate_id = _organization_upsert(
            name=clean_text(org_name, max_length=200),
            website=org_website,
            type=org_type,
            home_jurisdiction_id=home_jurisdiction_id,
            now=now,
        )
        values: dict[str, Any] = {
            "campaign_id": campaign.pk,
            "organization_id": org.pk,
            "status": SignatureStatus.PENDING.value,
            "source": SignatureSource.FORM.value,
            "contact_name": prep("contact_name", name),
            "contact_email": prep("contact_email", email),
            "email_hash": email_hash,
            "contact_role": role,
            "language": language,
            "submit_count": 1,
            "created_at": prep("created_at", now),
            "updated_at": prep("updated_at", now),
        }
        if org_created and near_duplicate_id is not None:
            values["near_duplicate_of_id"] = near_duplicate_id
        keep_unless_pending = ("contact_name", "contact_role", "language")
        sql = (
            f"INSERT INTO {table} ({', '.join(values)}) "  # noqa: S608 (our tables and columns)
            f"SELECT {', '.join(['%s'] * len(values))} WHERE EXISTS (SELECT 1 FROM {campaigns_table} c "
            "WHERE c.id = %s AND c.status = %s AND (c.opens_at IS NULL OR c.opens_at <= %s) "
            "AND (c.closes_at IS NULL OR c.closes_at > %s)) "
            "ON CONFLICT (campaign_id, organization_id, email_hash) DO UPDATE SET "
            f"submit_count = {table}.submit_count + 1, updated_at = excluded.updated_at, "
            + ", ".join(
                f"{column} = CASE WHEN {table}.status = %s THEN excluded.{column} "
                f"ELSE {table}.{column} END"
                for column in keep_unless_pending
            )
            + " RETURNING id, status, submit_count, language, contact_name, contact_role"
        )
        when = _db_value(Campaign, "opens_at", now)
        params = [
            *values.values(),
            campaign.pk,
            CampaignStatus.COLLECTING.value,
            when,
            when,
            *[SignatureStatus.PENDING.value] * len(keep_unless_pending),
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        if row is None:
            raise CampaignNotCollecting(campaign.slug)
        pk, status, submit_count, stored_language, stored_name, stored_role = row
        pending = status == SignatureStatus.PENDING
        created = submit_count == 1
        signature = Signature(
            pk=pk,
            campaign=campaign,
            organization=org,
            status=status,
            contact_name=name if pending else decrypt(stored_name),
            contact_email=email,
            email_hash=email_hash,
            contact_role=stored_role,
            language=stored_language,
            submit_count=submit_count,
            near_duplicate_of_id=values.get("near_duplicate_of_id"),
        )
        signature._state.adding = False
        signature._state.db = connection.alias
        sent = status != SignatureStatus.REJECTED
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


def signature_send_verification(
    *,
    signature: Signature,
    campaign: Campaign | None = None,
    organization: Organization | None = None,
) -> None:
    campaign = campaign or signature.campaign
    organization = organization or signature.organization
    with translation.override(signature.language):
        title = campaign.localized_title()
        campaign_url = settings.SITE_URL + campaign.get_absolute_url()
    email_queue(
        to=[signature.contact_email],
        template="campaigns/email/verify",
        context={
            "organization_name": organization.name,
            "campaign_title": title,
            "campaign_url": campaign_url,
            "verify_url": signature_verify_url(signature=signature),
            "contact_name": signature.contact_name,
            "max_age_hours": settings.SIGNATURE_VERIFY_MAX_AGE_HOURS,
            "already_confirmed": signature.status
            in (SignatureStatus.VERIFIED, SignatureStatus.APPROVED),
        },
        kind="signature_verify",
        language=signature.language,
        sensitive=True,
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
        changed = Signature.objects.filter(pk__in=pks, status__in=allowed_from).update(
            status=to, decided_at=now, decided_by=user, updated_at=now
        )
        if changed:
            audit_event_record(
                action=f"signature.{to}",
                subject="campaigns.Signature:" + (str(pks[0]) if len(pks) == 1 else "bulk"),
                actor=actor,
                message=f"{changed} signature(s) {to}",
                data={"ids": pks[:500]},
            )
    return changed


def signature_approve(*, signatures: QuerySet[Signature], actor: User = None) -> int:
    """verified → approved (bulk). Pending ones are skipped: the contact has
    not proven the email yet. Returns how many changed."""
    return _decide(
        signatures=signatures,
        to=SignatureStatus.APPROVED,
        actor=actor,
        allowed_from=[SignatureStatus.VERIFIED, SignatureStatus.REJECTED],
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


def signatures_purge(*, now: datetime | None = None, days: int | None = None) -> int:
    """Delete pending (never confirmed) signatures older than SIGNATURE_PURGE_DAYS,
    sign-ons the worker could not apply (kept for staff) as old, and
    organizations left with no signature and no campaign."""
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
        failed = intake_purge_failed(before=cutoff)
        if deleted or failed:
            audit_event_record(
                action="signature.purge",
                subject="campaigns.Signature:purge",
                actor_label="purge_signatures",
                message=f"deleted {deleted} pending signature(s) and {failed} unapplied "
                f"sign-on(s) older than {days} days",
            )
        deleted += failed
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


def signature_rotate_keys(*, rehash: bool = False, batch_size: int = 500) -> dict[str, int]:
    """Re-encrypt contact fields under the newest key, in batches, one
    transaction per batch so a long run holds no long lock.

    Reads the raw ciphertext (``values_list`` through the field would decrypt),
    so a row is rewritten only if its ciphertext is not under the newest key.
    """
    from firstline.lib import crypto

    table = Signature._meta.db_table
    result = {"total": 0, "reencrypted": 0, "current": 0, "rehashed": 0}
    last_pk = 0
    from django.db import connection

    while True:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT id, contact_name, contact_email, email_hash FROM {table} "  # noqa: S608 (table name is ours)
                    "WHERE id > %s ORDER BY id LIMIT %s",
                    [last_pk, batch_size],
                )
                rows = cursor.fetchall()
            if not rows:
                break
            for pk, name_ct, email_ct, email_hash in rows:
                last_pk = pk
                result["total"] += 1
                updates: dict[str, str] = {}
                if not (crypto.is_current_key(name_ct) and crypto.is_current_key(email_ct)):
                    updates["contact_name"] = crypto.reencrypt(name_ct)
                    updates["contact_email"] = crypto.reencrypt(email_ct)
                    result["reencrypted"] += 1
                else:
                    result["current"] += 1
                if rehash:
                    new_hash = crypto.lookup_hash(crypto.decrypt(email_ct))
                    if new_hash != email_hash:
                        updates["email_hash"] = new_hash
                        result["rehashed"] += 1
                if updates:
                    sets = ", ".join(f"{column} = %s" for column in updates)
                    with connection.cursor() as cursor:
                        cursor.execute(
                            f"UPDATE {table} SET {sets} WHERE id = %s",  # noqa: S608
                            [*updates.values(), pk],
                        )
    return result
