"""Evidence records: the bundled load, versions on every change, the admin edit path."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.urls import reverse

from firstline.core.models import AuditEvent
from firstline.geo.models import Jurisdiction
from firstline.policies.models import Instrument, Policy, PolicyRecord, PolicyRecordVersion
from firstline.policies.services import (
    RecordChangeInvalid,
    policy_record_add,
    policy_record_change,
    policy_record_verify,
)

pytestmark = pytest.mark.django_db


def test_evidence_loaded_with_natural_keys() -> None:
    evidence = PolicyRecord.objects.filter(importer="evidence")
    files = sorted((Path(settings.BASE_DIR) / "data/policies/evidence").rglob("*.yaml"))
    provisions = sum(
        len(i.get("provisions") or [])
        for f in files
        for i in yaml.safe_load(f.read_text()).get("instruments") or []
    )
    assert evidence.count() == provisions
    nj = evidence.filter(usps="NJ", policy__slug="trust_values_act")
    assert nj.count() >= 2  # the AG directive and the bill are separate records
    # A provision's natural key is its instrument and policy.
    assert all(r.instrument_id and r.key == f"instrument:{r.instrument.slug}" for r in nj)
    assert len({r.instrument_id for r in nj}) == nj.count()
    assert all(r.versions.count() >= 1 for r in evidence[:20])
    assert all(i.versions.count() >= 1 for i in Instrument.objects.all()[:20])


def test_change_adds_version_and_audit_and_noop_adds_nothing(staff_user) -> None:
    record = PolicyRecord.objects.filter(importer="evidence").first()
    versions = record.versions.count()
    version = policy_record_change(
        record=record, changes={"status": "rescinded"}, why="Repealed in 2026", by=staff_user
    )
    assert version is not None and version.number == versions + 1
    assert version.by == staff_user and version.why == "Repealed in 2026"
    assert "status" in version.summary and version.values["status"] == "rescinded"
    record.refresh_from_db()
    assert record.status == "rescinded"
    # The previous version still holds the old value.
    previous = record.versions.get(number=versions)
    assert previous.values["status"] != "rescinded"
    assert AuditEvent.objects.filter(
        subject=f"policies.PolicyRecord:{record.pk}", actor=staff_user
    ).exists()
    assert (
        policy_record_change(
            record=record, changes={"status": "rescinded"}, why="again", by=staff_user
        )
        is None
    )
    assert record.versions.count() == versions + 1


def test_reason_is_required(staff_user) -> None:
    record = PolicyRecord.objects.first()
    with pytest.raises(RecordChangeInvalid):
        policy_record_change(record=record, changes={"note": "x"}, why=" ", by=staff_user)
    with pytest.raises(RecordChangeInvalid):
        policy_record_change(record=record, changes={"no_such_field": 1}, why="x", by=staff_user)


def test_add_and_verify(staff_user) -> None:
    harris = Jurisdiction.objects.get(kind="county", geoid="48201")
    record = policy_record_add(
        policy=Policy.objects.get(slug="decline_detainers"),
        values={
            "jurisdiction": harris,
            "status": "proposed",
            "instrument_kind": "resolution",
            "citation": "Res. 2026-1",
        },
        why="Commissioners' agenda",
        by=staff_user,
    )
    assert record.key == f"{harris.ocd_id}|Res. 2026-1"
    assert (record.level, record.usps) == ("county", "TX")
    version = policy_record_verify(record=record, by=staff_user)
    record.refresh_from_db()
    assert (
        record.confidence == "verified" and record.verified_by == staff_user and version.number == 2
    )


def test_admin_edit_keeps_old_version(staff_client, staff_user) -> None:
    record = PolicyRecord.objects.filter(importer="evidence", status="in_force").first()
    url = reverse("admin:policies_policyrecord_change", args=[record.pk])
    page = staff_client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in form.initial.items() if k in form.fields}
    data.update(
        {
            "status": "enjoined",
            "why": "Blocked by the district court",
            "jurisdiction": record.jurisdiction_id,
        }
    )
    data = {k: v for k, v in data.items() if not isinstance(v, (list, dict))}
    data.update({"versions-TOTAL_FORMS": "0", "versions-INITIAL_FORMS": "0"})
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.content[:2000]
    record.refresh_from_db()
    assert record.status == "enjoined"
    latest = record.versions.order_by("-number").first()
    assert latest.why == "Blocked by the district court" and latest.by == staff_user
    assert record.versions.filter(values__status="in_force").exists()
    history = staff_client.get(url)
    assert b"Blocked by the district court" in history.content


def test_admin_refuses_edit_without_reason(staff_client) -> None:
    record = PolicyRecord.objects.filter(importer="evidence").first()
    url = reverse("admin:policies_policyrecord_change", args=[record.pk])
    response = staff_client.post(url, {"status": "failed"})
    assert response.status_code == 200  # the form re-renders with errors
    assert PolicyRecordVersion.objects.filter(record=record, values__status="failed").count() == 0


def test_instrument_and_its_provisions_are_edited_together_versioned_and_audited(
    client, staff_user
) -> None:
    from firstline.policies.models import LegalEvent
    from firstline.policies.services import instrument_change, instrument_provisions_refresh

    instrument = Instrument.objects.filter(status="enacted", provisions__status="in_force").first()
    assert instrument is not None
    client.force_login(staff_user)
    page = client.get(reverse("admin:policies_instrument_change", args=[instrument.pk]))
    assert page.status_code == 200 and "Legal events" in page.content.decode()
    provisions = list(instrument.provisions.exclude(status="withdrawn"))
    versions = {p.pk: p.versions.count() for p in provisions}

    version = instrument_change(
        instrument=instrument, changes={"status": "vetoed"}, why="Vetoed after all", by=staff_user
    )
    assert version is not None and version.number == 2 and version.by == staff_user
    for p in provisions:
        p.refresh_from_db()
        assert p.status == "vetoed" and p.versions.count() == versions[p.pk] + 1
    assert AuditEvent.objects.filter(subject=f"policies.Instrument:{instrument.pk}").exists()

    instrument_change(
        instrument=instrument, changes={"status": "enacted"}, why="Re-checked", by=staff_user
    )
    LegalEvent.objects.create(
        instrument=instrument, kind="enjoined", date=dt.date(2026, 1, 5), body="A court",
        reference="X v. Y", policies=[],
    )  # fmt: skip
    assert instrument_provisions_refresh(instrument=instrument, why="Injunction", by=staff_user)
    assert {p.status for p in instrument.provisions.exclude(status="withdrawn")} == {"enjoined"}
