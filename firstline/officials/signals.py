"""Signals the officials app sends, for apps that keep copies derived from its data."""

from __future__ import annotations

from django.db import transaction
from django.dispatch import Signal

# Sent after a commit that changed offices, people, terms or contact points
# (the importers, and any save or delete of those models). No arguments.
officials_changed = Signal()


def officials_changed_on_commit(**kwargs: object) -> None:
    transaction.on_commit(lambda: officials_changed.send(sender=officials_changed))
