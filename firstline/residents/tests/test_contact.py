"""Writing to an official: preview, minimal mode, the outbox, the two keys, counts."""

import re

import pytest

from firstline.mail.models import Email, EmailStatus
from firstline.officials.models import Office
from firstline.residents.models import ResidentMessageCount
from firstline.residents.services import MESSAGE_KIND, resident_messages_purge

pytestmark = pytest.mark.django_db

DISTRICT_147 = "ocd-division/country:us/state:tx/sldl:147"


@pytest.fixture(autouse=True)
def generous_limits(monkeypatch):
    """These tests are about what is sent and stored; the limits have their own
    tests (test_message_limits.py)."""
    from firstline.residents import abuse

    for name in ("PER_CLIENT", "PER_CLIENT_OFFICE", "NO_POW_PER_CLIENT"):
        monkeypatch.setattr(abuse, name, abuse.Limit(f"test-{name}", 1000, 3600))


@pytest.fixture
def office():
    return Office.objects.get(district__ocd_id=DISTRICT_147, seat=1)


def _form(**extra):
    data = {
        "language": "en",
        "note": "Please act.",
        "minimal": "on",
        "name": "Ana Q",
        "email": "ana@example.org",
    }
    data.update(extra)
    return data


def test_write_page_offers_email_and_call_script(client, office):
    html = client.get(f"/en/find/write/{office.pk}/").content.decode()
    assert office.title in html
    assert 'name="minimal"' in html and "checked" in html
    assert "What to say" in html or "We have no email or phone" in html or 'name="note"' in html
    for field in ("id_note", "id_name", "id_email", "id_language"):
        assert f'for="{field}"' in html  # every field is labelled


def test_preview_shows_exactly_the_message_and_warns(client, office):
    html = client.post(f"/en/find/write/{office.pk}/", _form(action="preview")).content.decode()
    assert "can become public records" in html
    assert "Please act." in html
    assert "A resident (name withheld)" in html
    assert "Ana Q" not in html.split('class="message"')[1].split("</pre>")[0]
    assert Email.objects.filter(kind=MESSAGE_KIND).count() == 0  # a preview sends nothing


def test_send_in_minimal_mode_lands_in_the_outbox_and_is_counted(client, office):
    response = client.post(f"/en/find/write/{office.pk}/", _form(action="send"))
    assert response.status_code == 302
    email = Email.objects.get(kind=MESSAGE_KIND)
    assert email.status == EmailStatus.SENT and email.mode == "outbox"
    assert (
        email.to
        == office.terms.filter(end_date__isnull=True)
        .first()
        .person.contacts.filter(kind="email")
        .first()
        .value
    )
    assert "Ana Q" not in email.text and "ana@example.org" not in email.text
    assert "name withheld" in email.text
    assert "Please act." in email.text
    count = ResidentMessageCount.objects.get(office=office)
    assert count.count == 1 and count.campaign_slug == ""
    client.post(f"/en/find/write/{office.pk}/", _form(action="send"))
    count.refresh_from_db()
    assert count.count == 2


def test_send_with_name_includes_it(client, office):
    client.post(f"/en/find/write/{office.pk}/", _form(action="send", minimal=""))
    email = Email.objects.get(kind=MESSAGE_KIND)
    assert "Ana Q <ana@example.org>" in email.text


def test_spanish_message(client, office):
    client.post(f"/es/find/write/{office.pk}/", _form(action="send", language="es"))
    email = Email.objects.get(kind=MESSAGE_KIND)
    assert email.language == "es"
    assert "Vivo en" in email.text or "Estimado" in email.text


def test_leaves_only_with_mode_and_campaign_switch(client, office, settings, staff_user):
    from firstline.campaigns.models import Campaign
    from firstline.delivery.models import CampaignDelivery

    campaign = Campaign.objects.create(title="Test", slug="test-campaign", status="collecting")
    url = f"/en/find/write/{office.pk}/"

    settings.DELIVERY_MODE = "smtp"
    client.post(url, _form(action="send"))  # no campaign: no switch
    client.post(url, _form(action="send", campaign=campaign.slug))  # switch off
    assert set(Email.objects.values_list("mode", flat=True)) == {"outbox"}

    CampaignDelivery.objects.create(campaign=campaign, external_enabled=True)
    settings.DELIVERY_MODE = "outbox"
    client.post(url, _form(action="send", campaign=campaign.slug))  # switch on, mode outbox
    assert not Email.objects.filter(status=EmailStatus.QUEUED).exists()

    settings.DELIVERY_MODE = "smtp"
    client.post(url, _form(action="send", campaign=campaign.slug))  # both keys
    queued = Email.objects.get(status=EmailStatus.QUEUED)
    assert queued.kind == MESSAGE_KIND
    assert ResidentMessageCount.objects.get(campaign_slug=campaign.slug).count == 3


def test_purge_deletes_sent_messages_that_left(office):
    Email.objects.create(
        kind=MESSAGE_KIND, status=EmailStatus.SENT, mode="smtp", to="", subject="s", text=""
    )
    kept = Email.objects.create(
        kind=MESSAGE_KIND, status=EmailStatus.SENT, mode="outbox", to="x@y", subject="s", text="t"
    )
    assert resident_messages_purge() == 1
    assert list(Email.objects.filter(kind=MESSAGE_KIND)) == [kept]


def test_honeypot_blocks_bots(client, office):
    client.post(f"/en/find/write/{office.pk}/", _form(action="send", website="http://spam"))
    assert not Email.objects.filter(kind=MESSAGE_KIND).exists()


def test_call_script_is_one_short_ask_with_the_residents_words_before_thanks(client):
    mayor = Office.objects.get(title="Mayor of Houston, TX")
    html = client.get(f"/en/find/write/{mayor.pk}/").content.decode()
    script = html.split('<p class="script">')[1].split("</p>")[0].replace("<br>", " ")
    assert "I live in Houston." in script and "Houston city" not in script
    assert "[your name, optional]" in script
    assert script.index("[In your own words") < script.index("Thank you")
    assert script.count("protection for immigrant families:") == 1  # one ask
    assert len(script.split()) <= 70
    # The resident picks another ask; the script names that one only.
    slugs = re.findall(r'name="ask" value="([^"]+)"', html)
    assert len(slugs) > 1
    picked = client.get(f"/en/find/write/{mayor.pk}/", {"ask": slugs[1]}).content.decode()
    assert f'value="{slugs[1]}" checked' in picked
    es = client.get(f"/es/find/write/{mayor.pk}/").content.decode()
    assert "Alcalde(sa) de Houston" in es and "vivo en Houston" in es and "Mayor of" not in es
