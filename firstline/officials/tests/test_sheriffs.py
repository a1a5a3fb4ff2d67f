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
    assert counties
    have = set(
        Office.objects.filter(role=Role.SHERIFF, jurisdiction_id__in=counties).values_list(
            "jurisdiction_id", flat=True
        )
    )
    assert have == counties
    office = Office.objects.filter(role=Role.SHERIFF, jurisdiction_id__in=counties).first()
    assert office is not None
    assert office.title == f"Sheriff of {office.jurisdiction.name}"


@pytest.mark.django_db
def test_missing_sheriff_offices_are_created():
    office = Office.objects.filter(role=Role.SHERIFF, jurisdiction__usps="TX").first()
    assert office is not None
    jurisdiction = office.jurisdiction
    office.delete()
    out = io.StringIO()
    call_command("create_local_offices", stdout=out)
    assert "inserted=1" in out.getvalue()
    again = Office.objects.get(role=Role.SHERIFF, jurisdiction=jurisdiction)
    assert again.title == f"Sheriff of {jurisdiction.name}"
    assert not again.terms.exists()  # vacant is fine
