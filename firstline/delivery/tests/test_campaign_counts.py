import pytest
from django.core.management import call_command

from firstline.campaigns.models import Campaign


@pytest.mark.django_db
def test_campaign_page_shows_delivery_and_response_counts(client):
    call_command("seed_demo", verbosity=0)
    campaign = Campaign.objects.get(slug="first-line-of-defense-texas")
    page = client.get(f"/en/campaigns/{campaign.slug}/").content.decode()
    assert "Delivery and responses" in page
    assert "Officials addressed" in page
    assert f"/en/delivery/{campaign.slug}/accountability/" in page
    assert "Delivery dashboard (staff)" not in page  # staff link hidden from the public
    es = client.get(f"/es/campaigns/{campaign.slug}/").content.decode()
    assert "Entrega y respuestas" in es
