"""The workspace's pages against the national test data, as the roles of core.roles use them."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import translation

from firstline.campaigns.models import Campaign, Organization, Signature, SignatureStatus
from firstline.delivery import printing, sending
from firstline.delivery.models import CampaignDelivery, PrintPacket, Target
from firstline.delivery.tests import helpers as h
from firstline.officials.models import Role
from firstline.policies.models import Policy, PolicyKind

LETTER_EN = "{{ official.salutation }}\n\nWe ask {{ jurisdiction.name }} for:\n\n{{ gaps }}"
LETTER_ES = "{{ official.salutation }}\n\nPedimos a {{ jurisdiction.name }}:\n\n{{ gaps }}"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _client(role: str) -> Client:
    user, _ = get_user_model().objects.get_or_create(username=f"{role}-user", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    client = Client()
    client.force_login(user)
    return client


def _form(**extra: object) -> dict[str, object]:
    protective = Policy.objects.filter(kind=PolicyKind.PROTECTIVE).order_by("pk")[:2]
    return {
        "title": "Protect Tarrant families",
        "title_es": "Protejan a las familias de Tarrant",
        "slug": "tarrant-families",
        "letter_en": LETTER_EN,
        "letter_es": LETTER_ES,
        "asks": [p.pk for p in protective],
        "reply_name": "Ana Ruiz",
        "reply_email": "ana@coalition.example.org",
        **extra,
    }


@pytest.mark.django_db
def test_organizer_creates_a_campaign_with_protective_asks_and_both_letters():
    client = _client("organizer")
    assert "No campaigns yet" in client.get("/en/staff/campaigns/").content.decode()
    response = client.post("/en/staff/campaigns/new/", _form())
    assert response.status_code == 302
    campaign = Campaign.objects.get(slug="tarrant-families")
    assert campaign.languages == ["en", "es"]
    assert campaign.status == "draft"
    assert campaign.asks.count() == 2
    assert set(campaign.asks.values_list("kind", flat=True)) == {PolicyKind.PROTECTIVE}
    # Without a Spanish letter, the campaign is English only.
    client.post("/en/staff/campaigns/tarrant-families/edit/", _form(letter_es=""))
    campaign.refresh_from_db()
    assert campaign.languages == ["en"]


@pytest.mark.django_db
def test_a_harmful_policy_is_not_offered_and_not_accepted_as_an_ask():
    client = _client("organizer")
    harmful = Policy.objects.filter(kind=PolicyKind.HARMFUL).first()
    page = client.get("/en/staff/campaigns/new/").content.decode()
    assert harmful.name_en not in page
    response = client.post("/en/staff/campaigns/new/", _form(asks=[harmful.pk]))
    assert response.status_code == 200
    assert not Campaign.objects.exists()


@pytest.mark.django_db
def test_preview_fills_the_placeholders_without_saving():
    client = _client("organizer")
    response = client.post("/es/staff/campaigns/new/", _form(preview="1"))
    page = response.content.decode()
    assert not Campaign.objects.exists()
    ask = Policy.objects.filter(kind=PolicyKind.PROTECTIVE).order_by("pk").first()
    assert ask.name_en in page and ask.name_es in page
    assert "{{ gaps }}" not in page.split('id="preview"')[1]


@pytest.mark.django_db
def test_targets_by_name_freeze_and_unfreeze():
    client = _client("organizer")
    client.post("/en/staff/campaigns/new/", _form())
    url = "/en/staff/campaigns/tarrant-families/targets/"
    rule = {"roles": ["sheriff", "county_board"], "geography": "jurisdictions",
            "jurisdictions": "Tarrant County, TX", "language": "en"}  # fmt: skip
    page = client.post(url, rule, follow=True).content.decode()
    assert "Preview: 2 targets" in page
    bad = client.post(url, {**rule, "jurisdictions": "Nowhere County, ZZ"}).content.decode()
    assert "Not found" in bad
    client.post(url + "freeze/")
    campaign = Campaign.objects.get(slug="tarrant-families")
    assert Target.objects.filter(campaign=campaign).count() == 2
    client.post(url + "freeze/", {"undo": "1"})
    assert not Target.objects.filter(campaign=campaign).exists()
    assert CampaignDelivery.objects.get(campaign=campaign).targets_frozen_at is None


@pytest.mark.django_db
def test_unfreeze_is_refused_once_letters_went_out(rendered):
    client = _client("organizer")
    sending.deliveries_create(campaign=rendered)
    response = client.post(f"/en/staff/campaigns/{rendered.slug}/targets/freeze/", {"undo": "1"})
    assert response.status_code == 302
    assert Target.objects.filter(campaign=rendered).count() == 2
    assert CampaignDelivery.objects.get(campaign=rendered).targets_frozen_at is not None


@pytest.mark.django_db
def test_organizer_opens_and_approves_a_confirmed_sign_on():
    client = _client("organizer")
    client.post("/en/staff/campaigns/new/", _form())
    client.post("/en/staff/campaigns/tarrant-families/status/open/")
    campaign = Campaign.objects.get(slug="tarrant-families")
    assert campaign.status == "collecting"
    org = Organization.objects.create(
        name="Fort Worth Neighbors", name_key="fwn", similarity_key="fwn"
    )
    confirmed = Signature.objects.create(campaign=campaign, organization=org, status="verified",
                                         contact_email="a@example.org", email_hash="a")  # fmt: skip
    unconfirmed = Signature.objects.create(campaign=campaign, organization=org, status="pending",
                                           contact_email="b@example.org", email_hash="b")  # fmt: skip
    url = "/en/staff/campaigns/tarrant-families/signatures/"
    page = client.get(url).content.decode()
    assert "Fort Worth Neighbors" in page and "a@example.org" not in page
    client.post(url, {"ids": [confirmed.pk, unconfirmed.pk], "decision": "approve"})
    confirmed.refresh_from_db()
    unconfirmed.refresh_from_db()
    assert confirmed.status == SignatureStatus.APPROVED
    assert unconfirmed.status == SignatureStatus.PENDING


@pytest.mark.django_db
def test_only_an_admin_switches_external_delivery_on(rendered):
    url = f"/en/staff/campaigns/{rendered.slug}/letters/do/switch_on/"
    assert _client("organizer").post(url).status_code == 403
    assert not CampaignDelivery.objects.get(campaign=rendered).external_enabled
    assert _client("admin").post(url).status_code == 302
    assert CampaignDelivery.objects.get(campaign=rendered).external_enabled
    # Anyone running delivery may switch it off again.
    _client("organizer").post(f"/en/staff/campaigns/{rendered.slug}/letters/do/switch_off/")
    assert not CampaignDelivery.objects.get(campaign=rendered).external_enabled


@pytest.mark.django_db
def test_county_packet_picked_by_name(rendered):
    client = _client("organizer")
    url = f"/en/staff/campaigns/{rendered.slug}/packets/"
    assert "1 letter goes on paper" in client.get(url).content.decode()
    response = client.post(url, {"scope": "county", "place": "Cook County, IL"})
    packet = PrintPacket.objects.get(campaign=rendered)
    assert response["Location"] == f"{url}?packet={packet.pk}"
    assert packet.jurisdiction == h.cook() and packet.status == "queued"
    assert packet.letters.get().target.role == Role.SHERIFF
    page = client.get(response["Location"]).content.decode()
    assert "Packet queued" in page and 'http-equiv="refresh"' in page
    assert 'value="Cook County, IL"' in page  # the form keeps what started it
    printing.print_packet_render(packet_id=packet.pk)  # the task's work
    page = client.get(response["Location"]).content.decode()
    assert "Packet ready" in page and f"/delivery/packet/{packet.pk}/" in page
    assert 'http-equiv="refresh"' not in page
    nothing = client.post(url, {"scope": "county", "place": "Tarrant County, TX"}, follow=True)
    assert "no letters to print here" in nothing.content.decode()


@pytest.mark.django_db
def test_moderators_and_researchers_stay_out_of_campaign_setup():
    assert _client("moderator").get("/en/staff/campaigns/").status_code == 403
    assert _client("researcher").get("/en/staff/campaigns/new/").status_code == 403


@pytest.mark.django_db
def test_delivery_state_is_read_only_in_the_admin(rendered, staff_client):
    sending.deliveries_create(campaign=rendered)
    delivery = rendered.deliveries.first()
    url = f"/admin/delivery/delivery/{delivery.pk}/change/"
    page = staff_client.get(url)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert staff_client.post(url, {"status": "sent"}).status_code == 403
    for model in ("campaigndelivery", "target", "lettercopy", "delivery", "printpacket"):
        assert staff_client.get(f"/admin/delivery/{model}/add/").status_code == 403
    delivery.refresh_from_db()
    assert delivery.status == "queued"


@pytest.mark.django_db
def test_near_duplicate_sign_on_is_merged_into_the_organization_it_looks_like():
    client = _client("organizer")
    client.post("/en/staff/campaigns/new/", _form())
    campaign = Campaign.objects.get(slug="tarrant-families")
    first = Organization.objects.create(
        name="Fort Worth Neighbors", name_key="fwn", similarity_key="fwn"
    )
    second = Organization.objects.create(
        name="Fort Worth Neighbors Inc", name_key="fwni", similarity_key="fwn"
    )
    sig = Signature.objects.create(campaign=campaign, organization=second, status="verified",
                                   contact_email="a@example.org", email_hash="a",
                                   near_duplicate_of=first)  # fmt: skip
    url = "/en/staff/campaigns/tarrant-families/signatures/"
    assert "Fort Worth Neighbors Inc" in client.get(url).content.decode()
    client.post(url, {"ids": [sig.pk], "decision": "merge"})
    sig.refresh_from_db()
    assert sig.organization == first


def _english_strings() -> list[str]:
    """The workspace catalog's English strings whose Spanish differs (single-line ones)."""
    import re
    from pathlib import Path

    po = (Path(__file__).parents[1] / "locale/es/LC_MESSAGES/django.po").read_text()
    pairs = re.findall(r'^msgid "(.+)"\nmsgstr "(.*)"$', po, flags=re.M)
    # "English" also names the language switcher's link, in English on purpose.
    skip = {"English"}
    return [en for en, es in pairs if es and es != en and "%(" not in en and en not in skip]


@pytest.mark.django_db
def test_spanish_workspace_pages_have_no_english_left(rendered):
    client = _client("organizer")
    english = _english_strings()
    assert len(english) > 60
    pages = ["", "new/", f"{rendered.slug}/", f"{rendered.slug}/edit/",
             f"{rendered.slug}/targets/", f"{rendered.slug}/signatures/",
             f"{rendered.slug}/letters/", f"{rendered.slug}/packets/"]  # fmt: skip
    for page in pages:
        html = client.get(f"/es/staff/campaigns/{page}").content.decode()
        assert "English is used" not in html  # the model's own help texts
        left = [s for s in english if f">{s}<" in html or f">{s} " in html]
        assert not left, (page, left)
