"""Signals other apps listen to (campaigns imports no app above it).

``signatories_changed`` is sent after commit whenever a campaign's approved
signatory list changes (an approval, a rejection of an approved one, an
approved signature deleted or merged into another organization), with
``campaign_id``. Delivery marks its unsent letter copies stale on it.
"""

from typing import Any

from django.db import transaction
from django.dispatch import Signal

from firstline.campaigns.models import SignatureStatus

signatories_changed = Signal()


def approved_signature_deleted(*, sender: Any, instance: Any, **_kwargs: Any) -> None:
    """An approved signature deleted (in the admin) leaves the letters' list."""
    if instance.status != SignatureStatus.APPROVED:
        return
    campaign_id = instance.campaign_id
    transaction.on_commit(lambda: signatories_changed.send(sender=sender, campaign_id=campaign_id))
