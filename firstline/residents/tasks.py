from __future__ import annotations

from django.tasks import task

from firstline.residents import services


@task(queue_name="default")
def purge_resident_messages() -> int:
    return services.resident_messages_purge()
