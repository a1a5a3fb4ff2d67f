"""Signals other apps listen to (campaigns imports no app above it).

``signatories_changed`` is sent after commit whenever a campaign's approved
signatory list changes (an approval, a rejection of an approved one), with
``campaign_id``. Delivery marks its unsent letter copies stale on it.
"""

from django.dispatch import Signal

signatories_changed = Signal()
