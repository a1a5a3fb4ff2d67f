"""The scorecard on the real bundled data, the recompute-on-change path and the command's JSON."""

from __future__ import annotations

import json
from io import StringIO
from statistics import mean

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from firstline.geo.models import Jurisdiction
from firstline.policies import scorecard
from firstline.policies.models import PolicyRecord
from firstline.policies.services import policy_record_change
from firstline.policies.tasks import BATCH_PRIORITY, scorecards_recompute_task

pytestmark = pytest.mark.django_db

OCD = "ocd-division/country:us/state:"


def card_for(ocd_id: str) -> scorecard.Scorecard:
    return scorecard.scorecard_for(jurisdiction=Jurisdiction.objects.get(ocd_id=ocd_id))


def test_nassau_shows_its_287g_agreements_next_to_new_york_protections() -> None:
    card = card_for(OCD + "ny/county:nassau")
    harm = card.line("agreement_287g")
    assert harm is not None and harm.effective_status == "in_force"
    assert harm.origin_level == "county" and harm.origin_ocd_id == OCD + "ny/county:nassau"
    assert harm.credit == -3
    assert len(harm.records) >= 2  # the sheriff's office and the county police
    assert all(r.agency_name and r.support_model for r in harm.records)
    state_protections = [
        ln
        for ln in card.lines
        if ln.policy.protective and ln.in_force and ln.origin_ocd_id == OCD + "ny"
    ]
    assert {ln.policy.slug for ln in state_protections} >= {
        "drivers_licenses_all",
        "courthouse_protection",
    }
    assert all(ln.record and ln.record.citation for ln in state_protections)


def test_cook_county_inherits_illinois_protections() -> None:
    card = card_for(OCD + "il/county:cook")
    inherited = {
        ln.policy.slug: ln for ln in card.lines if ln.in_force and ln.origin_level == "state"
    }
    assert {"trust_values_act", "no_287g", "drivers_licenses_all"} <= set(inherited)
    assert all(ln.origin_ocd_id == OCD + "il" and ln.credit > 0 for ln in inherited.values())
    assert card.line("agreement_287g").effective_status == "none"  # type: ignore[union-attr]
    assert card.grade in ("A", "B")


def test_new_hampshire_city_shows_state_preemption() -> None:
    card = card_for(OCD + "nh/place:manchester")
    preempted = [ln for ln in card.lines if ln.effective_status == "preempted"]
    assert {ln.policy.slug for ln in preempted} >= {"decline_detainers", "no_release_notification"}
    for ln in preempted:
        assert ln.reason is not None and ln.reason_ocd_id == OCD + "nh"
        assert ln.reason_policy in (
            "state_sanctuary_ban",
            "criminal_penalties_officials",
            "detainer_mandate",
            "mandate_287g",
        )
        assert ln.policy.slug not in card.gaps  # the city cannot adopt what the state forbids
    assert card.line("state_sanctuary_ban").effective_status == "in_force"  # type: ignore[union-attr]


def test_illinois_counties_score_above_texas_counties() -> None:
    cards = scorecard.scorecards_compute(
        jurisdiction_ids=Jurisdiction.objects.filter(
            kind="county", usps__in=["IL", "TX"]
        ).values_list("id", flat=True)
    )
    il = [c.score for c in cards.values() if c.jurisdiction.usps == "IL"]
    tx = [c.score for c in cards.values() if c.jurisdiction.usps == "TX"]
    assert len(il) == 102 and len(tx) == 254
    assert mean(il) > mean(tx) + 20
    grade_points = {"A": 4, "B": 3, "C": 2, "D": 1, "F": 0}
    assert mean(
        grade_points[c.grade] for c in cards.values() if c.jurisdiction.usps == "IL"
    ) > mean(grade_points[c.grade] for c in cards.values() if c.jurisdiction.usps == "TX")


def test_bulk_and_single_computation_agree() -> None:
    ids = list(
        Jurisdiction.objects.filter(usps="NY", kind__in=["county", "place"]).values_list(
            "id", flat=True
        )[:300]
    )
    bulk = scorecard.scorecards_compute(jurisdiction_ids=ids)
    for jid in ids[:: max(1, len(ids) // 25)]:
        single = scorecard.scorecard_for(jurisdiction=Jurisdiction.objects.get(pk=jid))
        assert single.as_json() == bulk[jid].as_json()


def test_changing_a_record_recomputes_exactly_the_affected_jurisdictions(
    django_capture_on_commit_callbacks, staff_user
) -> None:
    nassau = Jurisdiction.objects.get(ocd_id=OCD + "ny/county:nassau")
    record = PolicyRecord.objects.filter(
        jurisdiction=nassau, policy__slug="agreement_287g", status="in_force"
    ).first()
    assert record is not None
    before = scorecard.scorecard_summaries(jurisdictions=[nassau])[nassau.pk]
    DBTaskResult.objects.all().delete()

    agreements = list(
        PolicyRecord.objects.filter(jurisdiction=nassau, policy__slug="agreement_287g")
    )
    with django_capture_on_commit_callbacks(execute=True):
        for other in agreements:
            policy_record_change(
                record=other,
                changes={"status": "rescinded"},
                why="Agreement ended (test)",
                by=staff_user,
            )

    # Enqueued on commit, at batch priority, each carrying the changed jurisdiction only.
    tasks = list(DBTaskResult.objects.filter(task_path__endswith="scorecards_recompute_task"))
    assert len(tasks) == len(agreements) >= 2
    assert all(t.args_kwargs["kwargs"] == {"jurisdiction_ids": [nassau.pk]} for t in tasks)
    assert all(t.priority == BATCH_PRIORITY for t in tasks)

    affected = set(scorecards_recompute_task.call(jurisdiction_ids=[nassau.pk]))
    expected = {
        nassau.pk,
        *Jurisdiction.objects.filter(county=nassau, kind="place").values_list("id", flat=True),
    }
    assert affected == expected
    assert not affected & set(
        Jurisdiction.objects.filter(kind="county")
        .exclude(pk=nassau.pk)
        .values_list("id", flat=True)
    )

    after = scorecard.scorecard_summaries(jurisdictions=[nassau])[nassau.pk]
    assert after.score > before.score
    assert after.statuses.get("agreement_287g") != "in_force"


def test_state_change_affects_the_state_and_everything_in_it() -> None:
    nh = Jurisdiction.objects.get(ocd_id=OCD + "nh")
    affected = scorecard.scorecard_affected_ids(jurisdiction_ids=[nh.pk])
    assert affected == {nh.pk, *Jurisdiction.objects.filter(state=nh).values_list("id", flat=True)}
    place = Jurisdiction.objects.get(ocd_id=OCD + "nh/place:manchester")
    assert scorecard.scorecard_affected_ids(jurisdiction_ids=[place.pk]) == {place.pk}


def test_scorecard_command_json_shape() -> None:
    out = StringIO()
    call_command(
        "scorecard", OCD + "il/county:cook", OCD + "nh/place:manchester", "--json", stdout=out
    )
    data = json.loads(out.getvalue())
    assert [d["ocd_id"] for d in data] == [OCD + "il/county:cook", OCD + "nh/place:manchester"]
    for item in data:
        assert {"ocd_id", "score", "grade", "gaps", "policies"} <= set(item)
        assert 0 <= item["score"] <= 100 and item["grade"] in "ABCDF"
        for line in item["policies"]:
            assert {"policy", "effective_status", "origin_level", "origin_ocd_id", "record"} <= set(
                line
            )
            if line["record"]:
                assert {"citation", "source_url", "dates", "confidence"} <= set(line["record"])
    trust = next(p for p in data[0]["policies"] if p["policy"] == "trust_values_act")
    assert trust["origin_ocd_id"] == OCD + "il" and trust["record"]["citation"]

    out = StringIO()
    call_command("scorecard", OCD + "nh", "--children", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data[0]["ocd_id"] == OCD + "nh"
    assert len(data) == 1 + Jurisdiction.objects.filter(usps="NH").exclude(kind="state").count()


def test_national_recompute_fills_every_state_entry() -> None:
    count = scorecard.scorecards_recompute_all()
    assert count == Jurisdiction.objects.count()
    counties = list(Jurisdiction.objects.filter(kind="county"))
    summaries = scorecard.scorecard_summaries(jurisdictions=counties)
    assert len(summaries) == len(counties)
