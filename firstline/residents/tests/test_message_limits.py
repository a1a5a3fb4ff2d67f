"""Residents' messages: a proof of work, a few per visitor, a ceiling per office."""

import pytest

from firstline.lib.pow import pow_challenge_create, pow_payload, pow_solve
from firstline.mail.models import Email
from firstline.officials.models import Office
from firstline.residents import abuse
from firstline.residents.services import MESSAGE_KIND

pytestmark = pytest.mark.django_db

DISTRICT_147 = "ocd-division/country:us/state:tx/sldl:147"


@pytest.fixture
def office():
    return Office.objects.get(district__ocd_id=DISTRICT_147, seat=1)


def _solved() -> str:
    challenge = pow_challenge_create(max_number=300)
    return pow_payload(challenge, pow_solve(challenge))


def _send(client, office, *, pow: str = "", address: str = "198.51.100.20"):
    data = {"language": "en", "note": "Please act.", "minimal": "on", "name": "", "email": "",
            "action": "send", "pow": pow}  # fmt: skip
    return client.post(f"/en/find/write/{office.pk}/", data, REMOTE_ADDR=address)


def test_a_flood_from_one_visitor_is_refused(client, office):
    statuses = [_send(client, office, pow=_solved()).status_code for _ in range(10)]
    # Two a day to the same office, then refused with a message; nothing more is stored.
    assert statuses[:2] == [302, 302]
    assert set(statuses[2:]) == {429}
    assert Email.objects.filter(kind=MESSAGE_KIND).count() == 2
    page = _send(client, office, pow=_solved()).content.decode()
    assert 'id="refusal"' in page


def test_a_solution_is_spent_once(client, office):
    payload = _solved()
    assert _send(client, office, pow=payload).status_code == 302
    assert _send(client, office, pow=payload, address="198.51.100.21").status_code == 429


def test_forged_proof_is_refused(client, office):
    assert _send(client, office, pow="bm90IGEgcHJvb2Y=").status_code == 429
    assert not Email.objects.filter(kind=MESSAGE_KIND).exists()


def test_without_javascript_a_smaller_budget(client, office, monkeypatch):
    monkeypatch.setattr(abuse, "NO_POW_PER_CLIENT", abuse.Limit("resident-nopow-client", 1, 86400))
    assert _send(client, office).status_code == 302
    assert _send(client, office).status_code == 429


def test_an_office_has_a_ceiling_across_visitors(client, office, monkeypatch):
    monkeypatch.setattr(abuse, "PER_OFFICE", abuse.Limit("resident-office", 3, 3600))
    statuses = [
        _send(client, office, pow=_solved(), address=f"203.0.113.{n}").status_code for n in range(5)
    ]
    assert statuses == [302, 302, 302, 429, 429]


def test_preview_carries_the_challenge(client, office):
    data = {"language": "en", "note": "x", "minimal": "on", "action": "preview"}
    page = client.post(f"/en/find/write/{office.pk}/", data).content.decode()
    assert 'id="pow-challenge"' in page and 'name="pow"' in page and "js/pow" in page
