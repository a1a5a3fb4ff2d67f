"""The coverage view: frozen targets lacking contacts, and inviting a partner from it."""

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from firstline.delivery.models import Target
from firstline.officials.models import RosterInvite

pytestmark = pytest.mark.django_db
SLUG = "first-line-of-defense-texas"


def test_coverage_groups_targets_and_invites_a_signatory():
    call_command("seed_demo", verbosity=0)
    user = User.objects.create_user("staffer", "s@example.org", "pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="edit_rosters"))
    client = Client()
    client.force_login(user)
    page = client.get(reverse("delivery:coverage", args=[SLUG]))
    html = page.content.decode()
    assert page.status_code == 200 and 'id="cov-TX-sheriff"' in html
    assert "Sheriff of Tarrant County" in html and "Invite Demo:" in html
    sheriffs = Target.objects.filter(campaign__slug=SLUG, role="sheriff")
    response = client.post(
        reverse("officials:roster_invite_create"),
        {
            "jurisdiction": [t.jurisdiction.ocd_id for t in sheriffs],
            "office": [t.office_id for t in sheriffs],
            "organization_name": "Demo: Harris County Faith Coalition",
            "organization_email": "demo@example.org",
        },
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    assert "invite-link" in response.content.decode()
    invite = RosterInvite.objects.get()
    assert invite.offices.count() == sheriffs.count()


def test_coverage_needs_the_named_permission():
    user = User.objects.create_user("plain", "p@example.org", "pw", is_staff=True)
    client = Client()
    client.force_login(user)
    call_command("seed_demo", verbosity=0)
    assert client.get(reverse("delivery:coverage", args=[SLUG])).status_code == 403
