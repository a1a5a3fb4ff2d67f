from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from firstline.officials.models import Office, Role
from firstline.policies.models import PolicyRecord


@pytest.mark.django_db
def test_every_county_with_a_287g_sheriff_has_a_sheriff_office():
    counties = set(
        PolicyRecord.objects.filter(
            policy__slug="agreement_287g",
            jurisdiction__kind="county",
            agency_name__icontains="sheriff",
        ).values_list("jurisdiction_id", flat=True)
    )
    out = io.StringIO()
    call_command("create_sheriff_offices", stdout=out)  # load_bundled already ran it once
    assert "inserted=0" in out.getvalue()  # idempotent
    have = set(
        Office.objects.filter(role=Role.SHERIFF, jurisdiction_id__in=counties).values_list(
            "jurisdiction_id", flat=True
        )
    )
    assert have == counties
    if counties:
        office = (
            Office.objects.filter(
                role=Role.SHERIFF, jurisdiction_id__in=counties, source="ice-287g"
            )
            .select_related("jurisdiction")
            .first()
        )
        assert office is None or office.title == f"Sheriff, {office.jurisdiction.name}"


@pytest.mark.django_db
def test_missing_sheriff_offices_are_created(db):
    record = (
        PolicyRecord.objects.filter(
            policy__slug="agreement_287g",
            jurisdiction__kind="county",
            agency_name__icontains="sheriff",
        )
        .select_related("jurisdiction")
        .first()
    )
    assert record is not None, "the bundled 287(g) data should hold a county sheriff's agreement"
    Office.objects.filter(role=Role.SHERIFF, jurisdiction=record.jurisdiction).delete()
    out = io.StringIO()
    call_command("create_sheriff_offices", stdout=out)
    assert "inserted=1" in out.getvalue()
    office = Office.objects.get(role=Role.SHERIFF, jurisdiction=record.jurisdiction)
    assert office.title == f"Sheriff, {record.jurisdiction.name}"
    assert not office.terms.exists()  # vacant is fine
