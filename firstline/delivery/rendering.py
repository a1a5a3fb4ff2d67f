"""Rendering: one localized ``LetterCopy`` per target, in batches run by tasks.

Each batch loads the scorecards of all its jurisdictions at once, the
jurisdictions that already have each ask, and the signatories once per
jurisdiction; the lines themselves come from ``letters.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from firstline.campaigns.models import Campaign
from firstline.lib.env import env_int
from firstline.policies.models import Policy

from . import letters as letters_mod
from . import selectors
from .models import DeliveryStatus, LetterCopy, Target

# Read from the environment so the bench can change it; production keeps the default.
RENDER_BATCH = env_int("DELIVERY_RENDER_BATCH", 250)


def letters_render_enqueue(*, campaign: Campaign, only_missing_or_stale: bool = True) -> int:
    """Queue render tasks over batches of targets; returns the number of batches."""
    from .tasks import render_letters

    qs = Target.objects.filter(campaign=campaign)
    if only_missing_or_stale:
        qs = qs.exclude(letters__stale=False)
    ids = list(qs.order_by("pk").values_list("pk", flat=True))
    batches = [ids[i : i + RENDER_BATCH] for i in range(0, len(ids), RENDER_BATCH)]

    def enqueue() -> None:
        for batch in batches:
            render_letters.enqueue(campaign.pk, batch)

    transaction.on_commit(enqueue)
    return len(batches)


def letters_render_batch(*, campaign_id: int, target_ids: Sequence[int]) -> int:
    """Render (or re-render) the copies of these targets. Scorecards, similar
    jurisdictions and signatories are loaded once per batch."""
    campaign = Campaign.objects.get(pk=campaign_id)
    asks = list(campaign.asks.all())
    targets = list(
        Target.objects.filter(campaign=campaign, pk__in=list(target_ids)).select_related(
            "jurisdiction", "jurisdiction__state", "office"
        )
    )
    if not targets:
        return 0
    cards, catalog = letters_mod.scorecards_for({t.jurisdiction_id for t in targets})
    policy_names = {p.slug: p for p in Policy.objects.all()}
    names = {
        language: letters_mod.ocd_names_for(cards.values(), language=language)
        for language in {t.language for t in targets}
    }
    similar = letters_mod.SimilarIndex.load(
        slugs=[a.slug for a in asks], kinds={t.jurisdiction.kind for t in targets}
    )
    signatories: dict[tuple[int, str], list[dict[str, Any]]] = {}
    now = timezone.now()
    existing = {
        (lc.target_id, lc.language): lc
        for lc in LetterCopy.objects.filter(target__in=targets).only("pk", "target_id", "language")
    }
    to_create: list[LetterCopy] = []
    to_update: list[LetterCopy] = []
    for target in targets:
        key = (target.jurisdiction_id, target.language)
        if key not in signatories:
            signatories[key] = letters_mod.signatory_names(
                campaign=campaign, local_to=target.jurisdiction, language=target.language
            )
        sigs = signatories[key]
        lines = letters_mod.letter_lines(
            card=cards[target.jurisdiction_id],
            asks=asks,
            catalog=catalog,
            role=target.role,
            jurisdiction=target.jurisdiction,
            similar=similar,
            language=target.language,
            ocd_names=names[target.language],
            policy_names=policy_names,
        )
        subject, html, text, digest = letters_mod.letter_render(
            campaign=campaign,
            target=target,
            language=target.language,
            lines=lines,
            signatories=sigs,
        )
        values = {
            "subject": subject,
            "html": html,
            "text": text,
            "gaps": lines.gaps,
            "in_force": lines.in_force,
            "reasoning": lines.reasoning,
            "signatories": sigs,
            "content_hash": digest,
            "rendered_at": now,
            "stale": False,
            "stale_reason": "",
        }
        current = existing.get((target.pk, target.language))
        if current is None:
            to_create.append(
                LetterCopy(campaign=campaign, target=target, language=target.language, **values)
            )
        else:
            for k, v in values.items():
                setattr(current, k, v)
            to_update.append(current)
    with transaction.atomic():
        LetterCopy.objects.bulk_create(to_create, batch_size=500)
        if to_update:
            LetterCopy.objects.bulk_update(to_update, list(values), batch_size=500)
    return len(to_create) + len(to_update)


def letter_copies_flag_stale(*, campaign: Campaign) -> int:
    """Flag copies whose jurisdiction's records changed after they were rendered;
    their queued deliveries wait until they are re-rendered."""
    ids = selectors.letter_copies_changed_since_render(campaign=campaign)
    if not ids:
        return 0
    LetterCopy.objects.filter(pk__in=ids).update(
        stale=True, stale_reason="policy records changed after rendering"
    )
    return len(ids)


def letter_copies_mark_unsent_stale(*, campaign_id: int, reason: str) -> int:
    """Flag the copies not yet sent (no delivery, or one still queued or failed):
    they will be re-rendered before sending. Sent copies keep what was sent."""
    sent = [s for s in DeliveryStatus if s not in UNSENT_STATUSES]
    return (
        LetterCopy.objects.filter(campaign_id=campaign_id, stale=False)
        .exclude(deliveries__status__in=sent)
        .update(stale=True, stale_reason=reason[:300])
    )


UNSENT_STATUSES = (DeliveryStatus.QUEUED, DeliveryStatus.FAILED)


def letter_copies_rerender_stale(*, campaign: Campaign) -> int:
    """Re-render every stale copy now, in batches (sending calls this first, so a
    letter always goes out with the current signatories and records)."""
    ids = list(
        LetterCopy.objects.filter(campaign=campaign, stale=True)
        .order_by("target_id")
        .values_list("target_id", flat=True)
        .distinct()
    )
    done = 0
    for start in range(0, len(ids), RENDER_BATCH):
        done += letters_render_batch(
            campaign_id=campaign.pk, target_ids=ids[start : start + RENDER_BATCH]
        )
    return done


def signatories_changed_receiver(*, campaign_id: int, **_kwargs: Any) -> None:
    """A signatory was approved or removed: every unsent copy lists the old signers."""
    letter_copies_mark_unsent_stale(campaign_id=campaign_id, reason="signatories changed")
