from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from firstline.core.models import AuditEvent
from firstline.delivery import base, printing, rendering, responses, sending, targeting
from firstline.delivery.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    GeographyKind,
    LetterCopy,
    Target,
)
from firstline.officials.models import Role
from firstline.policies.models import PolicyRecord, RecordStatus

from . import helpers as h


def smtp_to(sink):
    return {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": sink.host, "port": sink.port},
        }
    }


@pytest.fixture
def rendered(db):
    """A frozen, rendered campaign: Tarrant's sheriff (email), Cook's (postal only)."""
    h.texas_and_illinois_facts()
    tx, il = h.tarrant(), h.cook()
    h.office(tx, Role.SHERIFF, email="sheriff@tarrantcounty.example.org", holder="Pat Example")
    h.office(il, Role.SHERIFF, address="50 W Washington St, Chicago, IL 60602")
    camp = h.campaign()
    targeting.target_rule_add(
        campaign=camp,
        roles=[Role.SHERIFF],
        geography=GeographyKind.JURISDICTIONS,
        jurisdictions=[tx, il],
    )
    targeting.targets_freeze(campaign=camp)
    rendering.letters_render_batch(
        campaign_id=camp.pk,
        target_ids=list(Target.objects.filter(campaign=camp).values_list("pk", flat=True)),
    )
    return camp


@pytest.mark.parametrize(
    ("mode", "switch", "leaves"),
    [
        ("outbox", False, False),
        ("outbox", True, False),
        ("smtp", False, False),
        ("smtp", True, True),
    ],
)
def test_never_leaves_outbox_unless_mode_and_switch(
    rendered, settings, smtp_sink, staff_user, mode, switch, leaves
):
    settings.DELIVERY_MODE = mode
    settings.MAILERS = smtp_to(smtp_sink)
    if switch:
        targeting.delivery_switch_set(campaign=rendered, enabled=True, by=staff_user)
    assert sending.delivery_start(campaign=rendered) == 2
    assert sending.delivery_pump(campaign_id=rendered.pk) == 1
    email = Delivery.objects.get(campaign=rendered, channel=Channel.EMAIL)
    assert email.status == DeliveryStatus.SENT
    assert email.mode == ("smtp" if leaves else "outbox")
    if leaves:
        [msg] = smtp_sink.wait_for(1)
        assert msg["Message-ID"] == email.message_id
        assert msg["To"] == "sheriff@tarrantcounty.example.org"
        assert "287(g)" in msg.get_payload(0).get_payload(decode=True).decode()
    else:
        assert smtp_sink.messages == []
    # The print channel is for the postal-only target; nothing is sent for it.
    assert (
        Delivery.objects.get(campaign=rendered, channel=Channel.PRINT).status
        == DeliveryStatus.QUEUED
    )
    if switch:
        event = AuditEvent.objects.filter(action="delivery.switch_on").latest("at")
        assert event.actor == staff_user


def test_one_delivery_per_letter_and_channel(rendered):
    assert sending.deliveries_create(campaign=rendered) == 2
    assert sending.deliveries_create(campaign=rendered) == 0
    existing = Delivery.objects.filter(campaign=rendered).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(letter=existing.letter, campaign=rendered, channel=existing.channel)


def test_refusing_server_retries_with_backoff_then_succeeds(
    rendered, settings, smtp_sink, monkeypatch
):
    settings.DELIVERY_MODE = "smtp"
    settings.MAILERS = smtp_to(smtp_sink)
    targeting.delivery_switch_set(campaign=rendered, enabled=True, by=None)
    sending.delivery_start(campaign=rendered)
    smtp_sink.refuse = True
    assert sending.delivery_pump(campaign_id=rendered.pk) == 0
    email = Delivery.objects.get(campaign=rendered, channel=Channel.EMAIL)
    assert (
        email.status == DeliveryStatus.QUEUED and email.attempts == 1 and "451" in email.last_error
    )
    assert email.next_attempt_at > timezone.now()  # backing off
    message_id = email.message_id
    assert sending.delivery_pump(campaign_id=rendered.pk) == 0  # not due yet: nothing tried
    assert Delivery.objects.get(pk=email.pk).attempts == 1
    smtp_sink.refuse = False
    Delivery.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
    assert sending.delivery_pump(campaign_id=rendered.pk) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == (DeliveryStatus.SENT, 2, "")
    [msg] = smtp_sink.wait_for(1)
    assert msg["Message-ID"] == message_id  # the id stamped at creation survived the retry


def test_gives_up_after_max_attempts_then_staff_retry(
    rendered, settings, smtp_sink, monkeypatch, staff_user
):
    settings.DELIVERY_MODE = "smtp"
    settings.DELIVERY_MAX_ATTEMPTS = 2
    settings.MAILERS = smtp_to(smtp_sink)
    monkeypatch.setattr(sending, "LETTERS", replace(sending.LETTERS, backoff_seconds=0))
    targeting.delivery_switch_set(campaign=rendered, enabled=True, by=None)
    sending.delivery_start(campaign=rendered)
    smtp_sink.refuse = True
    sending.delivery_pump(campaign_id=rendered.pk)
    email = Delivery.objects.get(campaign=rendered, channel=Channel.EMAIL)
    assert (
        email.status == DeliveryStatus.FAILED and email.attempts == 2 and "451" in email.last_error
    )
    smtp_sink.refuse = False
    assert sending.delivery_retry(delivery=email, by=staff_user)
    assert sending.delivery_pump(campaign_id=rendered.pk) == 1
    assert len(smtp_sink.wait_for(1)) == 1


def test_expired_lease_is_swept_and_resent_with_the_same_message_id(rendered, settings, smtp_sink):
    settings.DELIVERY_MODE = "smtp"
    settings.MAILERS = smtp_to(smtp_sink)
    targeting.delivery_switch_set(campaign=rendered, enabled=True, by=None)
    sending.delivery_start(campaign=rendered)
    email = Delivery.objects.get(campaign=rendered, channel=Channel.EMAIL)
    # A worker claimed the row and died: the row is "sending" with a lease that ran out.
    Delivery.objects.filter(pk=email.pk).update(
        status=DeliveryStatus.SENDING,
        lease_token="dead",
        lease_until=timezone.now() - dt.timedelta(seconds=1),
    )
    assert sending.delivery_pump(campaign_id=rendered.pk) == 1
    [msg] = smtp_sink.wait_for(1)
    assert msg["Message-ID"] == email.message_id


def test_a_live_lease_is_not_taken(rendered, settings):
    sending.delivery_start(campaign=rendered)
    email = Delivery.objects.get(campaign=rendered, channel=Channel.EMAIL)
    Delivery.objects.filter(pk=email.pk).update(
        status=DeliveryStatus.SENDING,
        lease_token="alive",
        lease_until=timezone.now() + dt.timedelta(minutes=1),
    )
    assert sending.delivery_pump(campaign_id=rendered.pk) == 0
    assert Delivery.objects.get(pk=email.pk).status == DeliveryStatus.SENDING


def test_per_domain_rate_limit_defers_to_the_next_minute(db, settings, smtp_sink):
    settings.DELIVERY_MODE = "smtp"
    settings.MAILERS = smtp_to(smtp_sink)
    settings.DELIVERY_PER_DOMAIN_PER_MINUTE = 2
    tx = h.tarrant()
    camp = h.campaign("rate")
    for i in range(3):
        h.office(tx, Role.COUNTY_COMMISSIONER, email=f"c{i}@county.example.org")
        # Offices are unique per seat: make three seats.
        from firstline.officials.models import Office

        Office.objects.filter(jurisdiction=tx, role=Role.COUNTY_COMMISSIONER, seat=1).update(
            seat=10 + i
        )
    targeting.target_rule_add(
        campaign=camp,
        roles=[Role.COUNTY_COMMISSIONER],
        geography=GeographyKind.JURISDICTIONS,
        jurisdictions=[tx],
    )
    targeting.targets_freeze(campaign=camp)
    rendering.letters_render_batch(
        campaign_id=camp.pk,
        target_ids=list(Target.objects.filter(campaign=camp).values_list("pk", flat=True)),
    )
    targeting.delivery_switch_set(campaign=camp, enabled=True, by=None)
    sending.delivery_start(campaign=camp)
    assert sending.delivery_pump(campaign_id=camp.pk) == 2
    waiting = Delivery.objects.get(campaign=camp, status=DeliveryStatus.QUEUED)
    assert waiting.attempts == 0 and waiting.next_attempt_at > timezone.now()
    assert len(smtp_sink.wait_for(2)) == 2


def test_print_packet_and_marking_by_hand(rendered, staff_user):
    from firstline.campaigns.models import Organization

    sending.delivery_start(campaign=rendered)
    il = h.cook()
    packet = printing.print_packet_build(
        campaign=rendered, scope="county", jurisdiction=il, by=staff_user
    )
    assert packet.pages >= 2 and packet.pdf.read(4) == b"%PDF"
    printed = Delivery.objects.get(campaign=rendered, channel=Channel.PRINT)
    assert printed.status == DeliveryStatus.PRINTED
    org = Organization.objects.create(
        name="Chicago Coalition", name_key="chicago coalition", similarity_key="x"
    )
    assert printing.delivery_mark(
        delivery=printed,
        status=DeliveryStatus.DELIVERED_BY_HAND,
        on=dt.date(2026, 12, 1),
        organization=org,
        by=staff_user,
    )
    printed.refresh_from_db()
    assert (printed.status, printed.delivered_on, printed.delivered_by) == (
        "delivered_by_hand",
        dt.date(2026, 12, 1),
        org,
    )


def test_commitment_creates_a_proposed_record_with_the_response_as_evidence(rendered, staff_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    target = Target.objects.get(campaign=rendered, jurisdiction=h.tarrant())
    response = responses.response_log(
        campaign=rendered, target=target, kind="commitment", notes="Will end the JEM agreement",
        attachment=SimpleUploadedFile("letter.pdf", b"%PDF-1.4 reply"), policies=[h.policy("no_287g")],
        commitment_date=dt.date(2027, 3, 1), by=staff_user,
    )  # fmt: skip
    [record] = response.records.all()
    assert record.status == RecordStatus.PROPOSED and record.jurisdiction == target.jurisdiction
    # What the public history shows: no internal ids ("delivery response 1").
    assert "2027-03-01" in record.citation and f"response {response.pk}" not in record.citation
    assert record.versions.get().why == "An official committed to it in reply to a campaign letter"
    assert response.attachment.name.endswith(".pdf")
    with pytest.raises(base.DeliveryError):
        responses.response_log(campaign=rendered, target=target, kind="commitment", by=staff_user)
    assert PolicyRecord.objects.filter(pk=record.pk, status=RecordStatus.IN_FORCE).count() == 0


def test_stale_copies_are_rendered_again_before_sending(rendered):
    tx = h.tarrant()
    day_ago = timezone.now() - dt.timedelta(days=1)
    LetterCopy.objects.filter(target__jurisdiction=tx).update(rendered_at=day_ago)
    PolicyRecord.objects.filter(jurisdiction=tx).update(updated_at=timezone.now())
    assert sending.delivery_start(campaign=rendered) == 2
    copy = LetterCopy.objects.get(target__jurisdiction=tx)
    assert not copy.stale and copy.rendered_at > day_ago
    assert Delivery.objects.filter(letter=copy).exists()


def test_malformed_address_fails_at_once_and_does_not_stop_the_batch(rendered, settings, smtp_sink):
    settings.DELIVERY_MODE = "smtp"
    settings.MAILERS = smtp_to(smtp_sink)
    targeting.delivery_switch_set(campaign=rendered, enabled=True, by=None)
    sending.delivery_start(campaign=rendered)
    email = Delivery.objects.get(campaign=rendered, channel=Channel.EMAIL)
    # Open States holds addresses like "lori garciasander.house@coleg.gov".
    Delivery.objects.filter(pk=email.pk).update(to_address="lori garcia@example.org")
    assert sending.delivery_pump(campaign_id=rendered.pk) == 0
    email.refresh_from_db()
    assert (
        email.status == DeliveryStatus.FAILED
        and email.attempts == 1
        and "Invalid address" in email.last_error
    )


def test_freeze_drops_malformed_addresses_to_print(db):
    tx = h.tarrant()
    h.office(tx, Role.SHERIFF, email="lori garciasander.house@coleg.gov")
    camp = h.campaign("typo")
    targeting.target_rule_add(
        campaign=camp,
        roles=[Role.SHERIFF],
        geography=GeographyKind.JURISDICTIONS,
        jurisdictions=[tx],
    )
    targeting.targets_freeze(campaign=camp)
    assert Target.objects.get(campaign=camp).email == ""


def test_the_print_channel_prints_one_office_packet(rendered):
    from firstline.delivery.channels import CHANNELS
    from firstline.delivery.models import PrintPacket

    sending.delivery_start(campaign=rendered)
    printed = Delivery.objects.select_related("letter__campaign").get(
        campaign=rendered, channel=Channel.PRINT
    )
    result = CHANNELS["print"]().send(printed)
    assert result.status == DeliveryStatus.PRINTED
    packet = PrintPacket.objects.get(campaign=rendered)
    assert packet.scope == "office" and list(packet.letters.all()) == [printed.letter]
    assert Delivery.objects.get(pk=printed.pk).status == DeliveryStatus.PRINTED
