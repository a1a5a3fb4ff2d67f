from __future__ import annotations

from django.tasks import task

from firstline.mail import services


@task(queue_name="default")
def send_email(email_id: int) -> bool:
    return services.email_send(email_id=email_id)


@task(queue_name="default")
def retry_due_emails() -> int:
    return services.email_retry_due()


@task(queue_name="default")
def purge_sensitive_emails() -> int:
    return services.email_purge_sensitive()
