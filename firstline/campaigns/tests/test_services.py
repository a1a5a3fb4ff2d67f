from __future__ import annotations

import time
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from firstline.campaigns import services
from firstline.campaigns.models import CampaignStatus, Organization, Signature, SignatureStatus
from firstline.campaigns.selectors import campaign_signatories, jurisdiction_resolve
from firstline.campaigns.tests import factories
from firstline.lib import crypto
from firstline.mail.models import Email

pytestmark = pytest.mark.django_db


def submit(campaign, **kw):
    values = {
        "campaign": campaign,
        "org_name": "Houston Immigrant Rights Coalition",
        "org_website": "https://hirc.example.org",
        "org_type": "local",
        "home_jurisdiction": factories.harris(),
        "contact_name": "Ana Pérez",
        "contact_email": "Ana@Example.org",
        "contact_role": "Director",
        "language": "en",
    }
    values.update(kw)
    return services.signature_submit(**values)


def test_submit_creates_pending_signature_and_queues_email_in_signer_language():
    campaign = factories.campaign()
    result = submit(campaign, language="es")
    sig = result.signature
    assert result.created and sig.status == SignatureStatus.PENDING
    assert sig.contact_email == "ana@example.org"
    assert sig.email_hash == crypto.lookup_hash("ANA@example.org ")
    email = Email.objects.get(kind="signature_verify")
    assert email.to == "ana@example.org" and email.language == "es"
    assert "Confirma" in email.subject or "firma" in email.subject.lower()
    assert "/es/campaigns/confirm/" in email.text


def test_resubmission_updates_the_same_signature():
    campaign = factories.campaign()
    first = submit(campaign).signature
    second = submit(
        campaign,
        contact_name="Ana P. Pérez",
        contact_email=" ana@example.ORG",
        org_name="houston immigrant rights coalition!",
    )
    assert not second.created
    assert Signature.objects.count() == 1 and Organization.objects.count() == 1
    sig = Signature.objects.get()
    assert sig.pk == first.pk and sig.submit_count == 2 and sig.contact_name == "Ana P. Pérez"
    # A second contact for the same organization is a second signature.
    submit(campaign, contact_email="other@example.org")
    assert Signature.objects.count() == 2 and Organization.objects.count() == 1


def test_resubmission_after_verification_keeps_confirmed_details():
    campaign = factories.campaign()
    sig = submit(campaign).signature
    Signature.objects.filter(pk=sig.pk).update(status=SignatureStatus.VERIFIED)
    submit(campaign, contact_name="Mallory")
    sig.refresh_from_db()
    assert sig.status == SignatureStatus.VERIFIED and sig.contact_name == "Ana Pérez"


def test_near_duplicate_names_are_flagged_and_merge_moves_signatures():
    campaign = factories.campaign()
    a = submit(campaign, org_name="ACLU of Texas", home_jurisdiction=factories.texas()).signature
    b = submit(
        campaign,
        org_name="ACLU Texas",
        home_jurisdiction=factories.texas(),
        contact_email="b@example.org",
    ).signature
    c = submit(
        campaign,
        org_name="The ACLU of Texas, Inc.",
        home_jurisdiction=None,
        contact_email="c@example.org",
    ).signature
    assert a.near_duplicate_of is None
    assert b.near_duplicate_of_id == a.organization_id
    assert c.near_duplicate_of_id == a.organization_id
    moved = services.organization_merge(source=b.organization, target=a.organization)
    assert moved == 1
    b.refresh_from_db()
    assert b.organization_id == a.organization_id and b.near_duplicate_of is None
    # A later submission under the merged name lands on the surviving organization.
    again = submit(
        campaign,
        org_name="ACLU Texas",
        home_jurisdiction=factories.texas(),
        contact_email="d@example.org",
    )
    assert again.signature.organization_id == a.organization_id


def test_verification_link_valid_forged_expired():
    campaign = factories.campaign()
    sig = submit(campaign).signature
    token = services.signature_token(signature=sig)
    assert services.signature_verify(token=token + "x")[0] == "invalid"
    assert services.signature_verify(token="1.abc:xyz:forged")[0] == "invalid"
    with mock.patch("django.core.signing.time.time", return_value=time.time() + 73 * 3600):
        assert services.signature_verify(token=token)[0] == "expired"
    outcome, verified = services.signature_verify(token=token)
    assert (
        outcome == "verified"
        and verified.status == SignatureStatus.VERIFIED
        and verified.verified_at
    )
    assert services.signature_verify(token=token)[0] == "already"


def test_moderation_approves_only_confirmed_signatures():
    campaign = factories.campaign()
    pending = submit(campaign, contact_email="p@example.org").signature
    verified = submit(campaign, contact_email="v@example.org").signature
    Signature.objects.filter(pk=verified.pk).update(status=SignatureStatus.VERIFIED)
    assert services.signature_approve(signatures=Signature.objects.all()) == 1
    assert Signature.objects.get(pk=pending.pk).status == SignatureStatus.PENDING
    assert [s.pk for s in campaign_signatories(campaign=campaign)] == [verified.pk]
    assert services.signature_reject(signatures=Signature.objects.filter(pk=verified.pk)) == 1
    assert list(campaign_signatories(campaign=campaign)) == []


def test_signatories_local_first():
    campaign = factories.campaign()
    far = submit(
        campaign, org_name="Alpha Org", home_jurisdiction=None, contact_email="a@example.org"
    ).signature
    near = submit(campaign, org_name="Zeta Org", contact_email="z@example.org").signature
    Signature.objects.update(status=SignatureStatus.APPROVED)
    assert [s.pk for s in campaign_signatories(campaign=campaign)] == [far.pk, near.pk]
    assert [s.pk for s in campaign_signatories(campaign=campaign, local_to=factories.harris())] == [
        near.pk,
        far.pk,
    ]
    assert [s.pk for s in campaign_signatories(campaign=campaign, local_to=factories.texas())] == [
        near.pk,
        far.pk,
    ]


def test_campaign_workflow_enforces_transitions():
    campaign = factories.campaign(status=CampaignStatus.DRAFT)
    with pytest.raises(services.TransitionNotAllowed):
        services.campaign_close(campaign=campaign)
    services.campaign_open(campaign=campaign)
    assert campaign.status == CampaignStatus.COLLECTING
    services.campaign_start_delivery(campaign=campaign)
    services.campaign_close(campaign=campaign)
    with pytest.raises(services.TransitionNotAllowed):
        services.campaign_open(campaign=campaign)
    assert not services.campaign_accepts_signatures(campaign=campaign)
    window = factories.campaign(slug="later", opens_at=timezone.now() + timedelta(days=1))
    assert not services.campaign_accepts_signatures(campaign=window)


def test_purge_deletes_old_pending_only():
    campaign = factories.campaign()
    old = submit(campaign, contact_email="old@example.org").signature
    kept = submit(campaign, contact_email="kept@example.org").signature
    fresh = submit(campaign, contact_email="fresh@example.org").signature
    Signature.objects.filter(pk__in=[old.pk, kept.pk]).update(
        created_at=timezone.now() - timedelta(days=30)
    )
    Signature.objects.filter(pk=kept.pk).update(status=SignatureStatus.VERIFIED)
    assert services.signatures_purge() == 1
    assert set(Signature.objects.values_list("pk", flat=True)) == {kept.pk, fresh.pk}


def test_contact_data_is_ciphertext_in_a_raw_read():
    campaign = factories.campaign()
    submit(campaign, contact_name="Ana Secretname", contact_email="ana.secret@example.org")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT contact_name, contact_email, email_hash, contact_role FROM campaigns_signature"
        )
        name, email, email_hash, role = cursor.fetchone()
    for value in (name, email):
        assert value.startswith("fe1:")
        assert (
            "ana" not in value.lower() and "secret" not in value.lower() and "example" not in value
        )
    assert "example" not in email_hash and len(email_hash) == 64
    assert role == "Director"


def test_key_rotation_reencrypts_and_old_key_can_then_be_dropped():
    k1, k2 = crypto.generate_key(), crypto.generate_key()
    campaign = factories.campaign()
    with override_settings(FIELD_ENCRYPTION_KEYS=[k1]):
        sig = submit(campaign).signature
    with override_settings(FIELD_ENCRYPTION_KEYS=[k2, k1]):
        result = services.signature_rotate_keys()
        assert result == {"total": 1, "reencrypted": 1, "current": 0, "rehashed": 0}
        assert services.signature_rotate_keys()["current"] == 1
    with override_settings(FIELD_ENCRYPTION_KEYS=[k2]):
        assert Signature.objects.get(pk=sig.pk).contact_email == "ana@example.org"
    with override_settings(FIELD_ENCRYPTION_KEYS=[k1]), pytest.raises(ValueError):
        Signature.objects.get(pk=sig.pk)


def test_jurisdiction_resolve_exact_and_candidates():
    harris = factories.harris()
    assert jurisdiction_resolve("Harris County, TX")[0] == harris
    assert jurisdiction_resolve("harris county, tx")[0] == harris
    assert jurisdiction_resolve("Texas")[0] == factories.texas()
    assert jurisdiction_resolve("TX")[0] == factories.texas()
    found, candidates = jurisdiction_resolve("Harri")
    assert found is None and harris in candidates


def test_submit_is_one_transaction_within_a_query_budget(django_assert_max_num_queries):
    campaign = factories.campaign()
    home = factories.harris()
    values = {
        "campaign": campaign,
        "org_name": "Houston Immigrant Rights Coalition",
        "home_jurisdiction": home,
        "contact_name": "Ana Pérez",
        "contact_email": "ana@example.org",
    }
    # The collecting re-check, the organization (read, insert, look-alike),
    # the signature (read, insert), the outbox row, and the savepoints that
    # let a lost race be retried: a budget, so a stray query shows up.
    with django_assert_max_num_queries(13):
        first = services.signature_submit(**values)
    with django_assert_max_num_queries(9):  # found, locked and updated
        second = services.signature_submit(**{**values, "contact_name": "Ana María"})
    assert first.created and not second.created
    assert second.signature.pk == first.signature.pk and second.signature.submit_count == 2
    assert second.signature.contact_name == "Ana María"
    assert Signature.objects.get().contact_name == "Ana María"


def test_submit_refuses_a_campaign_closed_after_the_page_was_read():
    campaign = factories.campaign()
    stale = type(campaign).objects.get(pk=campaign.pk)
    services.campaign_close(campaign=campaign)
    with pytest.raises(services.CampaignNotCollecting):
        submit(stale, org_name="Late Org")
    # The whole write rolled back: no organization, signature or email.
    assert not Organization.objects.filter(name="Late Org").exists()
    assert not Signature.objects.exists() and not Email.objects.exists()


def test_resubmitting_a_rejected_signature_counts_it_but_sends_nothing():
    campaign = factories.campaign()
    sig = submit(campaign).signature
    Signature.objects.filter(pk=sig.pk).update(status=SignatureStatus.REJECTED)
    Email.objects.all().delete()
    result = submit(campaign, contact_name="Mallory")
    assert not result.email_sent and not Email.objects.exists()
    stored = Signature.objects.get()
    assert stored.submit_count == 2 and stored.contact_name == "Ana Pérez"
    assert result.signature.contact_name == "Ana Pérez"


def test_a_verified_resubmission_mails_the_confirmed_name_in_its_language():
    campaign = factories.campaign()
    sig = submit(campaign, language="es").signature
    Signature.objects.filter(pk=sig.pk).update(status=SignatureStatus.VERIFIED)
    Email.objects.all().delete()
    submit(campaign, contact_name="Mallory", language="en")
    email = Email.objects.get()
    assert email.language == "es" and "Ana Pérez" in email.text and "Mallory" not in email.text


def test_signatory_list_changes_are_signalled_after_commit(django_capture_on_commit_callbacks):
    from firstline.campaigns.signals import signatories_changed

    campaign = factories.campaign()
    one = submit(campaign, contact_email="one@example.org").signature
    two = submit(campaign, org_name="Other Org", contact_email="two@example.org").signature
    Signature.objects.filter(pk__in=[one.pk, two.pk]).update(status=SignatureStatus.VERIFIED)
    heard: list[int] = []

    def listener(*, campaign_id: int, **_kw):
        heard.append(campaign_id)

    signatories_changed.connect(listener)
    try:
        # Rejecting a signature that was never approved leaves the list as it was.
        with django_capture_on_commit_callbacks(execute=True):
            services.signature_reject(signatures=Signature.objects.filter(pk=two.pk))
        assert heard == []
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            services.signature_approve(signatures=Signature.objects.filter(pk=one.pk))
            assert heard == []  # not before the commit
        assert heard == [campaign.pk] and callbacks
        with django_capture_on_commit_callbacks(execute=True):
            services.signature_reject(signatures=Signature.objects.filter(pk=one.pk))
        assert heard == [campaign.pk, campaign.pk]
    finally:
        signatories_changed.disconnect(listener)
