import pytest
from django.core import mail as django_mail

from firstline.mail import services
from firstline.mail.models import Email, EmailStatus
from firstline.testing import message_text


def _smtp_to(sink):
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": sink.host, "port": sink.port},
        }
    }


@pytest.mark.django_db
def test_outbox_mode_never_opens_a_connection(settings):
    settings.DELIVERY_MODE = "outbox"
    email = services.email_queue(
        to=["someone@example.org"],
        template="mail/test/hello",
        context={"name": "<b>Ana</b>"},
        kind="test",
    )
    assert services.email_send(email_id=email.pk)
    email.refresh_from_db()
    assert email.status == EmailStatus.SENT and email.mode == "outbox"
    assert email.to == "someone@example.org"  # kept: the row is the delivered copy
    assert django_mail.outbox == []


@pytest.mark.django_db
def test_smtp_mode_delivers_once_and_blanks_private_fields(settings, smtp_sink):
    settings.DELIVERY_MODE = "smtp"
    settings.MAILERS = _smtp_to(smtp_sink)
    email = services.email_queue(
        to=["someone@example.org"],
        template="mail/test/hello",
        context={"name": "<b>Ana</b>"},
        kind="test",
    )
    assert services.email_send(email_id=email.pk)
    assert not services.email_send(email_id=email.pk)  # already claimed: no second send
    [msg] = smtp_sink.wait_for(1)
    assert msg["Message-ID"] == Email.objects.get(pk=email.pk).message_id
    html = (
        next(p for p in msg.walk() if p.get_content_type() == "text/html")
        .get_payload(decode=True)
        .decode()
    )
    assert "&lt;b&gt;Ana" in html and "<b>Ana" not in html  # autoescaped in the HTML part
    assert "Hi <b>Ana</b>" in message_text(msg)  # text part is plain text
    email.refresh_from_db()
    assert (email.to, email.text, email.html) == ("", "", "")


@pytest.mark.django_db
def test_refusing_server_leads_to_retry_then_success(settings, smtp_sink):
    settings.DELIVERY_MODE = "smtp"
    settings.MAILERS = _smtp_to(smtp_sink)
    email = services.email_queue(
        to=["a@example.org"], template="mail/test/hello", context={"name": "x"}, kind="test"
    )
    smtp_sink.refuse = True
    assert not services.email_send(email_id=email.pk)
    email.refresh_from_db()
    assert email.status == EmailStatus.QUEUED and email.attempts == 1 and "451" in email.last_error
    assert email.next_attempt_at is not None
    smtp_sink.refuse = False
    Email.objects.filter(pk=email.pk).update(next_attempt_at=email.created_at)
    assert services.email_retry_due() == 1
    assert services.email_send(email_id=email.pk)
    assert len(smtp_sink.wait_for(1)) == 1


@pytest.mark.django_db
def test_redirect_mode_rewrites_every_recipient(settings, smtp_sink):
    settings.DELIVERY_MODE = "redirect"
    settings.DELIVERY_REDIRECT_TO = "test-inbox@example.org"
    settings.MAILERS = _smtp_to(smtp_sink)
    email = services.email_queue(
        to=["official@state.gov"], template="mail/test/hello", context={"name": "x"}, kind="test"
    )
    services.email_send(email_id=email.pk)
    [msg] = smtp_sink.wait_for(1)
    assert msg["X-Envelope-To"] == "test-inbox@example.org"
    assert msg["X-Firstline-Original-To"] == "official@state.gov"


@pytest.mark.django_db
def test_a_dead_workers_lease_expires_and_the_resend_keeps_the_message_id(settings, smtp_sink):
    from datetime import timedelta

    from django.utils import timezone

    settings.DELIVERY_MODE = "smtp"
    settings.MAILERS = _smtp_to(smtp_sink)
    email = services.email_queue(
        to=["a@example.org"], template="mail/test/hello", context={"name": "x"}, kind="test"
    )
    stamped = email.message_id
    assert stamped  # stamped at creation, before any worker saw the row
    # A worker claimed the row and was killed before recording anything.
    Email.objects.filter(pk=email.pk).update(
        status=EmailStatus.SENDING, lease_token="dead", lease_until=timezone.now()
    )
    assert not services.email_send(email_id=email.pk)  # still leased: nobody else sends it
    Email.objects.filter(pk=email.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert services.email_retry_due() == 1
    assert services.email_send(email_id=email.pk)
    [msg] = smtp_sink.wait_for(1)
    assert msg["Message-ID"] == stamped
