from __future__ import annotations

from django.tasks import task

from firstline.campaigns import services


@task(queue_name="default")
def purge_signatures() -> int:
    """Delete unconfirmed signatures older than SIGNATURE_PURGE_DAYS (schedule daily; docs/privacy.md)."""
    return services.signatures_purge()
