"""Signals the geo app sends, for apps that keep copies derived from geography."""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

# Sent after a commit that changed jurisdictions, ZCTAs, districts or their
# crosswalks (the census, ZCTA and district importers). No arguments.
geography_changed = Signal()


def geography_changed_on_commit() -> None:
    transaction.on_commit(lambda: geography_changed.send(sender=geography_changed))
