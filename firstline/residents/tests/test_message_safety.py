"""A resident's words and a campaign's letter are text: never markup, never a template."""

import pytest

from firstline.campaigns.models import Campaign
from firstline.mail.models import Email
from firstline.officials.models import Office
from firstline.residents.services import MESSAGE_KIND

pytestmark = pytest.mark.django_db

DISTRICT_147 = "ocd-division/country:us/state:tx/sldl:147"
HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)"><b>bold</b>'


@pytest.fixture
def office():
    return Office.objects.get(district__ocd_id=DISTRICT_147, seat=1)


def _post(client, office, **extra):
    data = {"language": "en", "note": HOSTILE, "name": HOSTILE, "email": "", "minimal": ""}
    data.update(extra)
    return client.post(f"/en/find/write/{office.pk}/", data)


def test_preview_escapes_what_the_resident_typed(client, office):
    page = _post(client, office, action="preview").content.decode()
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_sent_message_html_carries_no_markup_from_the_resident(client, office):
    _post(client, office, action="send")
    email = Email.objects.get(kind=MESSAGE_KIND)
    assert "<script>" not in email.html and "<img" not in email.html and "<b>bold" not in email.html
    assert HOSTILE in email.text  # the plain-text part keeps the words as typed


@pytest.mark.parametrize(
    "letter",
    [
        '{% include "base.html" %} {{ official.title }}',
        "Raise it by 50% {% of the budget %} for {{ jurisdiction.name }}",
        "{{ settings.SECRET_KEY }} {% load static %}{% static 'x' %}",
    ],
)
def test_campaign_letters_are_placeholders_never_templates(client, office, letter):
    Campaign.objects.create(
        title="T", slug="tpl-test", status="collecting", letter_en=letter, languages=["en"]
    )
    response = _post(client, office, action="preview", campaign="tpl-test", note="", name="")
    assert response.status_code == 200
    page = response.content.decode()
    # Template syntax stays literal text; only the known placeholders are filled.
    assert "{% include" in page or "{% of the budget %}" in page or "{% load static %}" in page
    assert "<!doctype html>" not in page.split("<pre", 1)[1].lower()
    assert "SECRET_KEY" not in page or "{{ settings.SECRET_KEY }}" in page
