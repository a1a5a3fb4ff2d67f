"""Letters that tell the truth, on the real bundled national data (issue 13).

Every ask of the campaign is one of the catalog's protections, so each copy
sorts the whole catalog for its office: Texas preemption and Tarrant County's
own 287(g) agreement, Illinois's TRUST Act, California's SB 54.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings as django_settings

from firstline.campaigns.models import CampaignStatus, Organization, Signature, SignatureStatus
from firstline.campaigns.selectors import campaign_public_get
from firstline.campaigns.services import signature_approve, signature_reject
from firstline.delivery import printing, rendering, sending, targeting
from firstline.delivery.asks import AskCase
from firstline.delivery.letters import scorecards_for
from firstline.delivery.models import Channel, Delivery, DeliveryStatus, GeographyKind, LetterCopy
from firstline.geo.models import Jurisdiction
from firstline.officials.models import Office, Person, Role, Term
from firstline.policies.models import Policy
from firstline.policies.scorecard import EffectiveStatus
from firstline.testing import message_text

from . import helpers as h
from .test_delivery import smtp_to

OCD = "ocd-division/country:us/state:"


def _jurisdiction(suffix: str) -> Jurisdiction:
    return Jurisdiction.objects.get(ocd_id=OCD + suffix)


def _holder(jurisdiction: Jurisdiction, role: str, name: str, family: str) -> Office:
    office = Office.objects.filter(jurisdiction=jurisdiction, role=role).order_by("pk").first()
    assert office is not None, f"the bundled data has a {role} for {jurisdiction}"
    person, _ = Person.objects.get_or_create(
        ocd_person_id=f"test:{office.pk}", defaults={"name": name, "family_name": family}
    )
    Term.objects.get_or_create(person=person, office=office, start_date=None)
    return office


def _campaign(slug: str):
    camp = h.campaign(slug, asks=())
    camp.asks.set(Policy.objects.filter(kind="protective"))
    return camp


def _render(camp, role: str, jurisdictions: list[Jurisdiction], language: str = "en"):
    targeting.target_rule_add(
        campaign=camp,
        roles=[role],
        geography=GeographyKind.JURISDICTIONS,
        jurisdictions=jurisdictions,
        language=language,
    )
    targeting.targets_freeze(campaign=camp)
    ids = list(camp.targets.values_list("pk", flat=True))
    rendering.letters_render_batch(campaign_id=camp.pk, target_ids=ids)
    return {lc.target.jurisdiction_id: lc for lc in LetterCopy.objects.filter(campaign=camp)}


def _by_case(letter: LetterCopy) -> dict[str, dict[str, dict]]:
    cases: dict[str, dict[str, dict]] = {c.value: {} for c in AskCase}
    for item in [*letter.gaps, *letter.in_force]:
        cases[item["case"]][item["slug"]] = item
    return cases


def _forbidden_here(jurisdiction: Jurisdiction) -> set[str]:
    cards, _catalog = scorecards_for([jurisdiction.pk])
    return {
        line.policy.slug
        for line in cards[jurisdiction.pk].lines
        if line.effective_status == EffectiveStatus.PREEMPTED
    }


@pytest.mark.django_db
def test_tarrant_sheriff_sees_sb4_as_a_barrier_and_his_own_agreement_as_the_harm():
    tarrant = _jurisdiction("tx/county:tarrant")
    _holder(tarrant, Role.SHERIFF, "Bill E. Waybourn", "Waybourn")
    letter = _render(_campaign("tarrant"), Role.SHERIFF, [tarrant])[tarrant.pk]
    cases = _by_case(letter)

    # SB 4 is named as what forbids detainer limits, never as a protection.
    blocked = cases["blocked"]
    assert "decline_detainers" in blocked
    assert blocked["decline_detainers"]["blocker"]["short"] == "SB 4"
    assert "SB 4" not in " ".join(i["evidence"] for i in letter.in_force)
    assert "decline_detainers" not in cases["thanks"]
    # Nothing state law forbids is asked of him as something he can do.
    forbidden = _forbidden_here(tarrant)
    assert forbidden and not forbidden & set(cases["act"])
    # His own 287(g) agreement is the harm to end, with the agreement and the state
    # mandate (SB 8) named.
    harm = cases["harm"]["no_287g"]
    assert "Tarrant County Sheriff" in harm["evidence"] and "287(g)" in harm["evidence"]
    assert harm["blocker"]["short"] == "SB 8"
    assert harm["source_url"].startswith("https://www.ice.gov/")
    # A sheriff is not asked for ordinances or state laws.
    assert not {"municipal_id", "welcoming_resolution", "trust_values_act"} & {
        *cases["act"],
        *cases["blocked"],
    }
    # The letter reads as a letter.
    assert "Dear Sheriff Waybourn," in letter.text
    assert "Dear Sheriff Waybourn," in letter.html
    assert "Texas law (SB 4) forbids" in letter.text
    assert "Penal Code § 39.07" in letter.text
    assert "ask the Governor and Legislature of Texas to repeal SB 4." in letter.text
    assert "Dear Sheriff, Tarrant County" not in letter.text
    # Every reason is kept for the staff preview.
    reasons = {r["slug"]: r for r in letter.reasoning}
    assert reasons["decline_detainers"]["why"] == "preempted"
    assert reasons["trust_values_act"]["why"] == "outside_power"


@pytest.mark.django_db
def test_illinois_state_copy_thanks_for_the_trust_act_instead_of_asking():
    illinois = _jurisdiction("il")
    letter = _render(_campaign("illinois"), Role.GOVERNOR, [illinois])[illinois.pk]
    cases = _by_case(letter)
    for slug in ("trust_values_act", "decline_detainers", "no_287g", "no_release_notification"):
        assert slug in cases["thanks"], slug
        assert slug not in cases["act"] and slug not in cases["harm"]
    assert "5 ILCS 805" in cases["thanks"]["trust_values_act"]["evidence"]
    assert "Dear Governor Pritzker," in letter.text
    assert "Thank you for “Comprehensive TRUST/Values-style state law”." in letter.text
    assert "Dear Governor of Illinois" not in letter.text


@pytest.mark.django_db
def test_california_county_copies_ask_nothing_sb54_provides():
    la = _jurisdiction("ca/county:los_angeles")
    for role in (Role.SHERIFF, Role.COUNTY_BOARD):
        letter = _render(_campaign(f"la-{role}"), role, [la])[la.pk]
        cases = _by_case(letter)
        sb54 = {s for s, item in cases["thanks"].items() if "SB 54" in item["evidence"]}
        assert "decline_detainers" in sb54
        asked = {*cases["act"], *cases["harm"], *cases["blocked"]}
        assert not sb54 & asked
        for item in letter.gaps:
            assert "SB 54" not in item.get("evidence", "")
    assert "Dear Members of the Los Angeles County Board of Supervisors," in letter.text


# The English template text a Spanish copy must not contain (the letter, the cover page).
ENGLISH = [
    "Dear ", "What you can do", "A harm to end", "Where state law stands in the way",
    "forbids local officials", "We do not ask you", "publish how many", "do no more than",
    "ask the Governor", "Thank you", "already applies here", "We ask you to keep",
    "Please reply to", "Signed by", "organizations", "in force since", "partly in force",
    "We found no record", "Our research found", "already has this protection", "Mayor",
    " of Houston", "Houston city", "ADDRESS NEEDED", "End ICE entanglement", "It cancels",
    "Your office keeps",
]  # fmt: skip


@pytest.mark.django_db
def test_spanish_copy_has_no_english_template_text():
    houston = _jurisdiction("tx/place:houston")
    camp = _campaign("houston-es")
    camp.reply_name, camp.reply_email = "Ana Ruiz", "ana@coalition.example.org"
    camp.save()
    h.sign(camp, "Houston Neighbors", houston)
    letter = _render(camp, Role.MAYOR, [houston], language="es")[houston.pk]
    assert letter.language == "es"
    cover = printing.letters_print_html(letters=[letter])
    for part in (letter.subject, letter.text, letter.html, cover):
        found = [s for s in ENGLISH if s in part]
        assert not found, found
    assert "Estimado/a Alcalde/sa Whitmire:" in letter.text
    assert "Alcalde(sa) de Houston, TX" in letter.subject
    assert "La ley de Texas (SB 4) prohíbe" in letter.text
    assert "Por favor, responda a Ana Ruiz" in letter.text
    assert "FALTA LA DIRECCIÓN" in cover or letter.target.postal_address


@pytest.mark.django_db
def test_plain_text_has_no_html_entities(rendered):
    camp = rendered
    h.sign(camp, 'Ana & Co "Vecinos" <Fort Worth>', h.tarrant())
    rendering.letters_render_batch(
        campaign_id=camp.pk, target_ids=list(camp.targets.values_list("pk", flat=True))
    )
    for letter in LetterCopy.objects.filter(campaign=camp):
        assert 'Ana & Co "Vecinos" <Fort Worth>' in letter.text
        assert not re.search(r"&(amp|lt|gt|quot|#\d+|#x[0-9a-f]+);", letter.text), letter.text
        assert "&amp;" in letter.html  # the HTML part escapes it


def _signer(campaign, name: str, status: str) -> Signature:
    """A new organization's signature with ``status``, written directly."""
    org = Organization.objects.create(name=name, name_key=name.casefold(), similarity_key=name)
    return Signature.objects.create(
        campaign=campaign, organization=org, status=status,
        contact_email="x@example.org", email_hash=f"hash-{org.pk}",
    )  # fmt: skip


@pytest.mark.django_db
def test_signature_approved_after_rendering_is_in_the_delivered_copy(
    rendered, settings, smtp_sink, staff_user, django_capture_on_commit_callbacks
):
    camp = rendered
    camp.status = CampaignStatus.COLLECTING
    camp.reply_name, camp.reply_organization = "Ana Ruiz", "Texas Coalition"
    camp.reply_email, camp.reply_phone = "ana@coalition.example.org", "+1 512 555 0100"
    camp.save()
    settings.DELIVERY_MODE = "smtp"
    settings.MAILERS = smtp_to(smtp_sink)
    targeting.delivery_switch_set(campaign=camp, enabled=True, by=staff_user)
    letter = LetterCopy.objects.get(campaign=camp, target__email__contains="tarrant")
    before = len(letter.signatories)

    def verified(name: str) -> Signature:
        return _signer(camp, name, SignatureStatus.VERIFIED)

    late, later, removed = verified("Late Allies"), verified("Later Allies"), verified("Gone")
    # Approving marks the unsent copies stale; sending renders them again first.
    with django_capture_on_commit_callbacks(execute=True):
        signature_approve(signatures=Signature.objects.filter(pk__in=[late.pk, removed.pk]))
    letter.refresh_from_db()
    assert letter.stale and letter.stale_reason == "signatories changed"
    assert sending.delivery_start(campaign=camp, by=staff_user) == 2
    camp.refresh_from_db()
    assert camp.status == CampaignStatus.DELIVERING
    # A signer approved (and one removed) after the deliveries were queued, before the pump.
    with django_capture_on_commit_callbacks(execute=True):
        signature_approve(signatures=Signature.objects.filter(pk=later.pk))
        signature_reject(signatures=Signature.objects.filter(pk=removed.pk))
    assert sending.delivery_pump(campaign_id=camp.pk) == 1

    [msg] = smtp_sink.wait_for(1)
    body = message_text(msg)
    assert "Late Allies" in body and "Later Allies" in body and "Gone" not in body
    letter.refresh_from_db()
    assert not letter.stale and len(letter.signatories) == before + 2
    # The public page and the letter agree on the count.
    assert campaign_public_get(slug=camp.slug).approved_count == len(letter.signatories)
    assert f"Signed by {len(letter.signatories)} organizations" in body
    # Replies reach a person; the envelope sender stays the platform's.
    assert msg["Reply-To"] == "ana@coalition.example.org"
    assert msg["X-Envelope-From"] == django_settings.DEFAULT_FROM_EMAIL.rpartition("<")[2].strip(
        ">"
    )
    assert "Please reply to Ana Ruiz (Texas Coalition), ana@coalition.example.org" in body
    sent = Delivery.objects.get(campaign=camp, channel=Channel.EMAIL)
    assert sent.status == DeliveryStatus.SENT and sent.letter_id == letter.pk
    # A sent copy is what was sent: later changes no longer mark it.
    with django_capture_on_commit_callbacks(execute=True):
        signature_reject(signatures=Signature.objects.filter(pk=late.pk))
    letter.refresh_from_db()
    assert not letter.stale


@pytest.mark.django_db
def test_staff_preview_shows_each_ask_beside_its_reason(client, staff_user, outsider_user):
    tarrant = _jurisdiction("tx/county:tarrant")
    letter = _render(_campaign("preview"), Role.SHERIFF, [tarrant])[tarrant.pk]
    url = f"/en/delivery/letter/{letter.pk}/"
    client.force_login(outsider_user)
    assert client.get(url).status_code in (302, 403)
    client.force_login(staff_user)
    page = client.get(url).content.decode()
    assert "Why each ask is where it is" in page
    assert "State law forbids it here (SB 4" in page
    assert "Blocked by state law" in page and "Harm to end" in page
    assert "Outside this office&#x27;s power" in page or "Outside this office's power" in page
    assert "Log a response" in page


@pytest.mark.django_db
def test_deleting_or_merging_an_approved_signer_marks_unsent_copies_stale(
    rendered, django_capture_on_commit_callbacks
):
    """Approving and rejecting are not the only ways a signer leaves a letter:
    a deleted signature (in the admin) or an organization merged into another
    changes the list too, so the unsent copies are re-rendered before sending."""
    from firstline.campaigns.services import organization_merge

    camp = rendered

    def approved(name: str) -> Signature:
        return _signer(camp, name, SignatureStatus.APPROVED)

    def fresh_copies() -> None:
        LetterCopy.objects.filter(campaign=camp).update(stale=False, stale_reason="")

    def stale_reasons() -> set[str]:
        return set(LetterCopy.objects.filter(campaign=camp).values_list("stale_reason", flat=True))

    gone, dup, keeper = approved("Gone Allies"), approved("Allies Dup"), approved("Allies")
    pending = Signature.objects.create(
        campaign=camp, organization=keeper.organization, status=SignatureStatus.PENDING,
        contact_email="y@example.org", email_hash="hash-pending",
    )  # fmt: skip
    assert LetterCopy.objects.filter(campaign=camp).exists()

    # A pending signature deleted is not on any letter: nothing changes.
    fresh_copies()
    with django_capture_on_commit_callbacks(execute=True):
        pending.delete()
    assert stale_reasons() == {""}

    with django_capture_on_commit_callbacks(execute=True):
        gone.delete()
    assert stale_reasons() == {"signatories changed"}

    fresh_copies()
    with django_capture_on_commit_callbacks(execute=True):
        organization_merge(source=dup.organization, target=keeper.organization)
    assert stale_reasons() == {"signatories changed"}
