"""Which data changes make which downloads stale.

The apps below send their change signals after commit; campaigns has none,
so approvals are caught with the model signals of signatures, campaigns and
organizations (a change of name or status shows on the public list).
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from firstline.campaigns.models import Campaign, Organization, Signature, SignatureStatus
from firstline.geo.signals import geography_changed
from firstline.officials.signals import officials_changed
from firstline.opendata.datasets import DATASETS
from firstline.opendata.services import downloads_schedule
from firstline.policies.signals import scorecards_changed

# Record changes always end in a scorecard recompute, so scorecards_changed
# also stands for "policy records changed".
ON_SCORECARDS = ["scorecards", "policies", "ice-287g"]
# Only these statuses are, or were, on a public list.
PUBLIC_STATUSES = {SignatureStatus.APPROVED, SignatureStatus.REJECTED}


def on_geography(**kwargs: Any) -> None:
    downloads_schedule(slugs=DATASETS)


def on_officials(**kwargs: Any) -> None:
    downloads_schedule(slugs=["officials"])


def on_scorecards(**kwargs: Any) -> None:
    downloads_schedule(slugs=ON_SCORECARDS)


def on_signature(instance: Signature, **kwargs: Any) -> None:
    if instance.status in PUBLIC_STATUSES:
        downloads_schedule(slugs=["signatories"])


def on_campaign_or_organization(created: bool = False, **kwargs: Any) -> None:
    # A new campaign or organization has no approved signature yet; skipping
    # it keeps the cache out of every new organization's sign-on.
    if not created:
        downloads_schedule(slugs=["signatories"])


def connect() -> None:
    geography_changed.connect(on_geography, dispatch_uid="opendata.geography")
    officials_changed.connect(on_officials, dispatch_uid="opendata.officials")
    scorecards_changed.connect(on_scorecards, dispatch_uid="opendata.scorecards")
    for signal in (post_save, post_delete):
        signal.connect(
            on_signature, sender=Signature, dispatch_uid=f"opendata.signature.{id(signal)}"
        )
        for model in (Campaign, Organization):
            signal.connect(
                on_campaign_or_organization,
                sender=model,
                dispatch_uid=f"opendata.{model.__name__}.{id(signal)}",
            )
