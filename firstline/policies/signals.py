"""Signals the policies app sends, for apps that keep copies derived from its data."""

from __future__ import annotations

from django.dispatch import Signal

# Sent when a scorecard recompute has finished, with ``jurisdiction_ids``: the
# set recomputed, or None after a national recompute.
scorecards_changed = Signal()
