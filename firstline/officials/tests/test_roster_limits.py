"""The roster drive's public forms carry the same limits as residents'
messages: a proof of work spent once, a small budget without one, a few
submissions per visitor and a ceiling per office or invitation."""

import pytest
from django.test import Client
from django.urls import reverse

from firstline.geo.models import Jurisdiction
from firstline.lib.pow import pow_challenge_create, pow_payload, pow_solve
from firstline.officials import abuse, services
from firstline.officials.models import Office, Role, RosterChange

pytestmark = pytest.mark.django_db
TARRANT = "ocd-division/country:us/state:tx/county:tarrant"


@pytest.fixture
def office():
    return Office.objects.get(jurisdiction__ocd_id=TARRANT, role=Role.COUNTY_BOARD)


def _solved() -> str:
    challenge = pow_challenge_create(max_number=300)
    return pow_payload(challenge, pow_solve(challenge))


def _suggest(office, *, pow: str = "", address: str = "198.51.100.30", n: int = 0):
    data = {"email": f"court{n}@tarrant.example.org", "source_url": "https://example.org/x",
            "pow": pow}  # fmt: skip
    return Client().post(f"/en/officials/office/{office.pk}/suggest/", data, REMOTE_ADDR=address)


def test_the_suggestion_page_carries_the_challenge(office):
    page = Client().get(reverse("officials:suggest", kwargs={"pk": office.pk})).content.decode()
    assert 'id="pow-challenge"' in page and 'name="pow"' in page and "js/pow" in page
    spanish = Client().get(f"/es/officials/office/{office.pk}/suggest/").content.decode()
    assert "Haciendo la verificación antispam en su navegador" in spanish


def test_a_flood_of_suggestions_is_refused_and_the_typing_is_kept(office):
    statuses = [_suggest(office, pow=_solved(), n=n).status_code for n in range(6)]
    # Three a day per visitor and office; then a clear refusal, nothing stored.
    assert statuses == [200, 200, 200, 429, 429, 429]
    assert RosterChange.objects.filter(office=office).count() == 3
    refused = _suggest(office, pow=_solved(), n=99).content.decode()
    assert 'id="refusal"' in refused and "try again later" in refused
    url = f"/es/officials/office/{office.pk}/suggest/"
    data = {
        "email": "x@tarrant.example.org",
        "source_url": "https://example.org/x",
        "pow": _solved(),
    }
    spanish = Client().post(url, data, REMOTE_ADDR="198.51.100.30").content.decode()
    assert "Ha enviado varios formularios hace poco" in spanish
    # What the visitor typed is still in the form, to send later.
    assert 'value="court99@tarrant.example.org"' in refused
    # Another visitor is not affected.
    assert _suggest(office, pow=_solved(), address="198.51.100.31").status_code == 200


def test_a_missing_or_invalid_proof_is_refused(office, monkeypatch):
    assert _suggest(office, pow="bm90IGEgcHJvb2Y=").status_code == 429
    challenge = pow_challenge_create(max_number=300)
    wrong = pow_payload(challenge, (pow_solve(challenge) or 0) + 1)
    page = _suggest(office, pow=wrong)
    assert page.status_code == 429 and "anti-spam check did not pass" in page.content.decode()
    assert not RosterChange.objects.exists()
    # Without any proof (no JavaScript), only a small budget.
    monkeypatch.setattr(abuse, "NO_POW_PER_CLIENT", abuse.Limit("roster-nopow-client", 1, 86400))
    assert _suggest(office).status_code == 200
    assert _suggest(office, n=1).status_code == 429
    assert RosterChange.objects.count() == 1


def test_a_solution_is_spent_once(office):
    payload = _solved()
    assert _suggest(office, pow=payload).status_code == 200
    assert _suggest(office, pow=payload, address="198.51.100.32", n=1).status_code == 429


def test_an_office_has_a_ceiling_across_visitors(office, monkeypatch):
    monkeypatch.setattr(abuse, "SUGGEST_PER_OFFICE", abuse.Limit("roster-suggest-office", 2, 3600))
    statuses = [
        _suggest(office, pow=_solved(), address=f"203.0.113.{n}", n=n).status_code for n in range(4)
    ]
    assert statuses == [200, 200, 429, 429]


def test_an_invitation_form_needs_the_proof_and_keeps_the_entries():
    tarrant = Jurisdiction.objects.get(ocd_id=TARRANT)
    invite, token = services.roster_invite_create(
        jurisdictions=[tarrant], organization_name="Tarrant Friends",
        organization_email="team@tarrant.example.org", created_by=None, days=7,
    )  # fmt: skip
    sheriff = Office.objects.get(jurisdiction__ocd_id=TARRANT, role=Role.SHERIFF)
    url = reverse("officials:roster_form", kwargs={"token": token})
    data = {f"o{sheriff.pk}-holder_name": "Pat Example",
            f"o{sheriff.pk}-source_url": "https://www.tarrantcountytx.gov/"}  # fmt: skip
    page = Client().post(url, {**data, "pow": "bm90IGEgcHJvb2Y="})
    assert page.status_code == 429 and 'value="Pat Example"' in page.content.decode()
    invite.refresh_from_db()
    assert invite.used_at is None and not RosterChange.objects.exists()
    done = Client().post(url, {**data, "pow": _solved()})
    assert done.status_code == 200 and RosterChange.objects.filter(office=sheriff).count() == 1
