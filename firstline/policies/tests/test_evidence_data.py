"""The evidence base on the real bundled data: provisions, legal events, coverage, harm attribution."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from firstline.geo.models import Jurisdiction
from firstline.policies import scorecard
from firstline.policies.models import Instrument, LegalEvent, PolicyRecord, ResearchCheck

pytestmark = pytest.mark.django_db

OCD = "ocd-division/country:us/state:"


def card_for(ocd_id: str, on: dt.date | None = None) -> scorecard.Scorecard:
    j = Jurisdiction.objects.get(ocd_id=ocd_id)
    return scorecard.scorecards_compute(jurisdiction_ids=[j.pk], on=on)[j.pk]


def page(client, ocd_id: str, **params: str) -> str:
    with translation.override("en"):
        url = reverse("policies:jurisdiction", kwargs={"ocd_id": ocd_id})
    return client.get(url, params).content.decode()


def test_california_protections_come_from_sb54_provisions(client) -> None:
    card = card_for(OCD + "ca")
    for slug in ("decline_detainers", "no_287g", "limit_data_sharing"):
        line = card.line(slug)
        assert line is not None and line.effective_status == "in_force" and line.credit > 0, slug
        assert line.record is not None and line.record.section, slug
        instrument = Instrument.objects.get(pk=line.record.instrument_id)
        assert "SB 54" in instrument.citation, (slug, instrument.citation)
    html = page(client, OCD + "ca")
    assert "Gov. Code § 7284.6" in html  # the section cite of the provision


def test_florida_287g_and_detainer_mandates_are_harmful_and_in_force() -> None:
    card = card_for(OCD + "fl")
    for slug in ("mandate_287g", "detainer_mandate"):
        line = card.line(slug)
        assert line is not None and line.effective_status == "in_force", slug
        assert line.policy.kind == "harmful" and line.credit < 0, slug
        assert line.record is not None and line.record.instrument_id, slug


def test_an_enjoined_law_shows_enjoined_earns_nothing_and_names_the_event(client) -> None:
    enjoined = PolicyRecord.objects.filter(
        status="enjoined", level="state", instrument__isnull=False
    ).select_related("jurisdiction", "policy", "instrument")
    # The first enjoined provision that is its state's only word on that policy (another law
    # of the same policy in force would rightly carry the line).
    provision, line = next(
        (p, ln)
        for p in enjoined.order_by("usps", "id")
        for ln in [card_for(p.jurisdiction.ocd_id).line(p.policy.slug)]
        if ln is not None and ln.record is not None and ln.record.id == p.id
    )
    assert line.effective_status == "enjoined" and line.credit == 0
    event = (
        LegalEvent.objects.filter(instrument=provision.instrument, kind="enjoined")
        .order_by("-date")
        .first()
    )
    assert event is not None
    html = page(client, provision.jurisdiction.ocd_id)
    assert "Blocked by a court" in html and event.reference.split(",")[0] in html
    # As of the day before the first injunction, the same law was in force.
    first = LegalEvent.objects.filter(instrument=provision.instrument).order_by("date").first()
    born = provision.instrument.effective_on or provision.instrument.enacted_on
    before = first.date - dt.timedelta(days=1)
    if born is None or born <= before:
        earlier = card_for(provision.jurisdiction.ocd_id, on=before).line(provision.policy.slug)
        assert earlier is not None and earlier.effective_status in ("in_force", "partial")
        assert "Status as of" in page(
            client, provision.jurisdiction.ocd_id, as_of=before.isoformat()
        )


def test_texas_county_without_its_own_agreement_inherits_the_state_agencies_as_state_facts(
    client,
) -> None:
    own = PolicyRecord.objects.filter(
        policy__slug="agreement_287g", level="county", usps="TX"
    ).values_list("jurisdiction_id", flat=True)
    county = (
        Jurisdiction.objects.filter(kind="county", usps="TX").exclude(pk__in=own).order_by("name")
    ).first()
    assert county is not None
    state_agencies = set(
        PolicyRecord.objects.filter(
            policy__slug="agreement_287g", level="state", usps="TX", status="in_force"
        ).values_list("agency_name", flat=True)
    )
    assert state_agencies  # Texas state agencies (DPS, the National Guard ...) hold agreements
    line = card_for(county.ocd_id).line("agreement_287g")
    assert line is not None and line.effective_status == "held_above"
    assert line.origin_level == "state"
    assert {r.agency_name for r in line.records} <= state_agencies
    assert not line.in_force  # not "287(g) agreement in force" of this county
    summary = scorecard.scorecard_summaries(jurisdictions=[county])[county.pk]
    assert summary.statuses.get("agreement_287g") == "held_above"
    html = page(client, county.ocd_id)
    assert "State agency agreement:" in html and "In force at state level" in html
    # The state's own card shows them as its own, in force.
    state_line = card_for(OCD + "tx").line("agreement_287g")
    assert state_line is not None and state_line.effective_status == "in_force"


def test_a_state_without_research_shows_an_incomplete_grade(client) -> None:
    state = Jurisdiction.objects.get(ocd_id=OCD + "wy")
    before = card_for(state.ocd_id)
    assert before.result.core_total == 11
    researched_only = set(
        ResearchCheck.objects.filter(jurisdiction=state, policy__core=True).values_list(
            "policy__slug", flat=True
        )
    ) - set(PolicyRecord.objects.filter(jurisdiction=state).values_list("policy__slug", flat=True))
    assert researched_only  # Wyoming's core coverage rests partly on research checks
    ResearchCheck.objects.filter(jurisdiction=state).delete()
    after = card_for(state.ocd_id)
    assert after.result.incomplete
    assert set(after.result.core_missing) == researched_only | set(before.result.core_missing)
    for slug in after.result.core_missing:
        line = after.line(slug)
        assert line is not None and line.effective_status == "none"  # not "absent"
    html = page(client, state.ocd_id)
    assert "Incomplete" in html
    assert f"Grade based on {after.result.core_researched} of 11 core policies researched" in html


def test_researched_absence_is_shown_with_who_checked_and_where(client) -> None:
    check = (
        ResearchCheck.objects.filter(jurisdiction__kind="state")
        .select_related("jurisdiction", "policy")
        .first()
    )
    assert check is not None
    line = card_for(check.jurisdiction.ocd_id).line(check.policy.slug)
    assert line is not None and line.effective_status in ("absent", "preempted")
    html = page(client, check.jurisdiction.ocd_id)
    assert "Researched and not in force here" in html and check.checked_by in html


def test_evidence_health_command_and_staff_page(client, staff_user, outsider_user) -> None:
    out = StringIO()
    call_command("evidence_health", "--coverage", stdout=out)
    text = out.getvalue()
    assert "ice_list_stale" in text  # the bundled ICE list is from July 2025
    # Texas SB 4's injunction was stayed on 2026-05-29: read in news reports, not the order.
    assert "event_without_primary_source: tx-sb4-2023: " in text and "on 2026-05-29" in text
    assert not any(
        line.startswith("event_without_primary_source:") and "rests on a court source" in line
        for line in text.splitlines()
    )
    assert "coverage: states researched per core policy (of 51)" in text
    assert "primary-source share" in text
    url = reverse("policies:evidence_health")
    client.force_login(outsider_user)
    assert client.get(url).status_code == 403
    outsider_user.is_staff = True
    outsider_user.save()
    assert client.get(url).status_code == 403  # staff without the permission
    outsider_user.user_permissions.add(Permission.objects.get(codename="view_evidence_health"))
    client.force_login(type(outsider_user).objects.get(pk=outsider_user.pk))
    response = client.get(url)
    assert response.status_code == 200 and "ice_list_stale" in response.content.decode()


def test_status_as_of_page_stays_within_the_page_budget(
    client, django_assert_max_num_queries
) -> None:
    ocd_id = OCD + "tx/county:harris"
    page(client, ocd_id)  # store the Scorecard rows the page lists
    with django_assert_max_num_queries(25):
        html = page(client, ocd_id, as_of="2024-03-01")
    assert "Status as of 2024-03-01" in html


def _status_cell(html: str, slug: str) -> str:
    """The policy and status cells of one line (the evidence cell badges each record itself)."""
    row = html.split(f'data-policy="{slug}">', 1)[1]
    return row.split('<ul class="evidence">', 1)[0]


def test_a_line_is_unverified_only_through_the_records_that_give_it_its_status(client) -> None:
    line = card_for(OCD + "fl").line("mandate_287g")
    assert line is not None and line.effective_status == "in_force"
    carrying = [r for r in line.records if r.status in ("in_force", "partial")]
    beside = [r for r in line.records if r not in carrying]
    assert carrying and all(r.confidence == "verified" for r in carrying)
    assert any(r.confidence == "unverified" for r in beside)  # SB 14-A (2025A), a failed bill
    assert not line.unverified
    assert "badge unverified" not in _status_cell(page(client, OCD + "fl"), "mandate_287g")
    PolicyRecord.objects.filter(pk=carrying[0].id).update(confidence="unverified")
    assert card_for(OCD + "fl").line("mandate_287g").unverified  # type: ignore[union-attr]
    assert "badge unverified" in _status_cell(page(client, OCD + "fl"), "mandate_287g")
