from __future__ import annotations

from types import SimpleNamespace

import pytest

from firstline.delivery import printing, rendering, selectors, targeting
from firstline.delivery.models import GeographyKind, LetterCopy, Target
from firstline.officials.models import Role
from firstline.policies.models import PolicyRecord
from firstline.policies.services import policy_record_change

from . import helpers as h


@pytest.fixture
def two_sheriffs(db):
    h.texas_and_illinois_facts()
    tx, il = h.tarrant(), h.cook()
    h.office(tx, Role.SHERIFF, email="sheriff@tarrantcounty.example.org")
    h.office(il, Role.SHERIFF, address="50 W Washington St, Chicago, IL 60602")
    camp = h.campaign()
    h.sign(camp, "Chicago Coalition", il)
    h.sign(camp, "Fort Worth Neighbors", tx)
    h.sign(camp, "National Network", None)
    # Spanish for Cook County: the first rule naming an office decides the language.
    targeting.target_rule_add(
        campaign=camp, roles=[Role.SHERIFF], geography=GeographyKind.JURISDICTIONS,
        jurisdictions=[il], language="es",
    )  # fmt: skip
    targeting.target_rule_add(
        campaign=camp,
        roles=[Role.SHERIFF],
        geography=GeographyKind.JURISDICTIONS,
        jurisdictions=[tx, il],
    )
    return camp, tx, il


def _render(camp):
    targeting.targets_freeze(campaign=camp)
    ids = list(Target.objects.filter(campaign=camp).values_list("pk", flat=True))
    rendering.letters_render_batch(campaign_id=camp.pk, target_ids=ids)
    return {
        lc.target.jurisdiction_id: lc
        for lc in LetterCopy.objects.filter(campaign=camp).select_related("target")
    }


def test_preview_counts_by_role_state_and_contact(two_sheriffs):
    camp, _tx, _il = two_sheriffs
    preview = selectors.target_preview(campaign=camp)
    assert preview.total == 2
    assert dict(preview.by_role) == {Role.SHERIFF: 2}
    assert dict(preview.by_state) == {"IL": 1, "TX": 1}
    assert (preview.email, preview.postal_only, preview.nothing) == (1, 1, 0)


def test_letters_differ_by_jurisdiction_with_evidence(two_sheriffs):
    camp, tx, il = two_sheriffs
    letters = _render(camp)
    texas, cook = letters[tx.pk], letters[il.pk]

    tx_gaps = {g["slug"]: g for g in texas.gaps}
    cook_gaps = {g["slug"]: g for g in cook.gaps}
    # Tarrant's sheriff holds a 287(g) agreement: a harm to end, and the evidence says so.
    assert tx_gaps["no_287g"]["case"] == "harm"
    assert (
        "287(g)" in tx_gaps["no_287g"]["evidence"] and "Tarrant" in tx_gaps["no_287g"]["evidence"]
    )
    # Illinois law already bars 287(g): Cook gets a thank-you line, not a gap.
    assert "no_287g" not in cook_gaps
    assert [t["slug"] for t in cook.in_force if t["slug"] == "no_287g"]
    assert "SB 667" in next(t for t in cook.in_force if t["slug"] == "no_287g")["evidence"]
    assert set(tx_gaps) != set(cook_gaps)
    # Every gap carries one line of evidence; a state-only ask is not put to a sheriff.
    for gap in [*texas.gaps, *cook.gaps]:
        assert gap["evidence"].strip()
    assert "trust_values_act" not in tx_gaps
    # The letter itself shows the gaps and their evidence, in HTML and text.
    assert "Tarrant County Sheriff" in texas.html and "Tarrant County Sheriff" in texas.text
    assert texas.content_hash != cook.content_hash
    # Local signatories first.
    assert texas.signatories[0]["name"] == "Fort Worth Neighbors"
    assert cook.signatories[0]["name"] == "Chicago Coalition"


def test_spanish_copy_renders(two_sheriffs):
    camp, tx, il = two_sheriffs
    letters = _render(camp)
    cook = letters[il.pk]
    assert cook.language == "es" and letters[tx.pk].language == "en"
    assert "Le escribimos sobre Condado de Cook, IL" in cook.text
    assert 'lang="es"' in cook.html
    assert "Gracias" in cook.html  # the thank-you section, translated
    assert cook.subject.startswith("Fin a la colaboración con ICE")


def test_changed_records_flag_copies_for_rerender(two_sheriffs):
    camp, tx, il = two_sheriffs
    letters = _render(camp)
    record = PolicyRecord.objects.filter(policy__slug="agreement_287g", jurisdiction=tx).first()
    policy_record_change(record=record, changes={"note": "MOA renewed"}, why="test: new evidence")
    assert rendering.letter_copies_flag_stale(campaign=camp) == 1
    assert LetterCopy.objects.get(pk=letters[tx.pk].pk).stale
    assert not LetterCopy.objects.get(pk=letters[il.pk].pk).stale
    # Re-rendering clears the flag.
    rendering.letters_render_batch(campaign_id=camp.pk, target_ids=[letters[tx.pk].target_id])
    assert not LetterCopy.objects.get(pk=letters[tx.pk].pk).stale


def test_pdf_of_a_letter_has_an_address_page(two_sheriffs):
    camp, _tx, il = two_sheriffs
    letters = _render(camp)
    pdf, pages = printing.letters_pdf(letters=[letters[il.pk]])
    assert pdf.startswith(b"%PDF") and pages >= 2


def test_render_runs_as_batched_tasks(
    two_sheriffs, django_capture_on_commit_callbacks, monkeypatch
):
    from firstline.delivery import tasks

    camp, _tx, _il = two_sheriffs
    targeting.targets_freeze(campaign=camp)
    queued: list[tuple] = []
    monkeypatch.setattr(rendering, "RENDER_BATCH", 1)
    real = tasks.render_letters
    monkeypatch.setattr(
        tasks, "render_letters", SimpleNamespace(enqueue=lambda *args: queued.append(args))
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert rendering.letters_render_enqueue(campaign=camp) == 2
    assert len(queued) == 2 and all(len(ids) == 1 for _, ids in queued)
    for args in queued:
        real.call(*args)
    assert LetterCopy.objects.filter(campaign=camp).count() == 2
    # Nothing missing or stale any more: a second render queues nothing.
    assert rendering.letters_render_enqueue(campaign=camp) == 0
