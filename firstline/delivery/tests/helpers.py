"""Building blocks for delivery tests.

They use the bundled national data when it is loaded (Tarrant County's real
287(g) agreement, Illinois's Way Forward Act) and create the same facts when
a row is missing, so the tests assert behaviour, not the state of the data.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from firstline.campaigns.models import Campaign, Organization, Signature, SignatureStatus
from firstline.geo.models import Jurisdiction, JurisdictionKind
from firstline.officials.models import ContactKind, ContactPoint, Office, Person, Role, Term
from firstline.policies.models import Policy, PolicyRecord, RecordStatus, SupportModel
from firstline.policies.services import policy_record_add

POLICIES: dict[str, dict[str, Any]] = {
    "no_287g": {
        "kind": "protective", "category": "ice_entanglement", "levels": ["state", "county", "city", "sheriff"],
        "name_en": "No 287(g) agreements", "name_es": "Sin acuerdos 287(g)", "weight": 3,
    },
    "decline_detainers": {
        "kind": "protective", "category": "ice_entanglement",
        "levels": ["state", "county", "city", "sheriff", "court"],
        "name_en": "Decline ICE detainers", "name_es": "Rechazar las órdenes de retención de ICE", "weight": 3,
    },
    "trust_values_act": {
        "kind": "protective", "category": "umbrella_law", "levels": ["state"],
        "name_en": "TRUST / Values Act", "name_es": "Ley TRUST / de Valores", "weight": 3,
    },
    "agreement_287g": {
        "kind": "harmful", "category": "preemption_and_mandates", "levels": ["state", "county", "city", "sheriff"],
        "name_en": "287(g) agreement", "name_es": "Acuerdo 287(g)", "negates": ["no_287g"], "weight": 3,
    },
}  # fmt: skip


def policy(slug: str) -> Policy:
    spec = dict(POLICIES[slug])
    obj, created = Policy.objects.get_or_create(slug=slug, defaults=spec)
    if not created and slug == "agreement_287g" and "no_287g" not in (obj.negates or []):
        obj.negates = [*(obj.negates or []), "no_287g"]
        obj.save(update_fields=["negates"])
    return obj


def state(usps: str, name: str, fips: str) -> Jurisdiction:
    obj, _ = Jurisdiction.objects.get_or_create(
        ocd_id=f"ocd-division/country:us/state:{usps.lower()}",
        defaults={
            "kind": JurisdictionKind.STATE,
            "name": name,
            "short_name": name,
            "geoid": fips,
            "usps": usps,
        },
    )
    return obj


def county(st: Jurisdiction, slug: str, name: str, geoid: str, population: int) -> Jurisdiction:
    obj, _ = Jurisdiction.objects.get_or_create(
        ocd_id=f"{st.ocd_id}/county:{slug}",
        defaults={
            "kind": JurisdictionKind.COUNTY, "name": name, "short_name": name.rsplit(" ", 1)[0],
            "geoid": geoid, "usps": st.usps, "state": st, "population": population,
        },
    )  # fmt: skip
    return obj


def tarrant() -> Jurisdiction:
    return county(state("TX", "Texas", "48"), "tarrant", "Tarrant County", "48439", 2_110_640)


def cook() -> Jurisdiction:
    return county(state("IL", "Illinois", "17"), "cook", "Cook County", "17031", 5_182_617)


def ensure_record(
    *, slug: str, jurisdiction: Jurisdiction, status: str = RecordStatus.IN_FORCE, **values: Any
) -> PolicyRecord:
    pol = policy(slug)
    existing = PolicyRecord.objects.filter(
        policy=pol, jurisdiction=jurisdiction, status=status
    ).first()
    if existing:
        return existing
    return policy_record_add(
        policy=pol,
        values={
            "jurisdiction": jurisdiction,
            "level": jurisdiction.kind,
            "usps": jurisdiction.usps,
            "status": status,
            **values,
        },
        why="test fixture",
        by_label="tests",
    )


def texas_and_illinois_facts() -> None:
    ensure_record(
        slug="agreement_287g", jurisdiction=tarrant(), agency_name="Tarrant County Sheriff's Office",
        agency_type="County", support_model=SupportModel.JAIL_ENFORCEMENT, signed_on=dt.date(2020, 6, 16),
        as_of=dt.date(2025, 7, 18),
    )  # fmt: skip
    ensure_record(
        slug="no_287g", jurisdiction=cook().state, citation="Way Forward Act, SB 667 (2021)", year=2021,
        instrument="statute",
    )  # fmt: skip


def office(
    jurisdiction: Jurisdiction, role: str, *, email: str = "", address: str = "", holder: str = ""
) -> Office:
    title = (
        f"Sheriff, {jurisdiction.name}"
        if role == Role.SHERIFF
        else f"{Role(role).label}, {jurisdiction.name}"
    )
    obj, _ = Office.objects.get_or_create(
        jurisdiction=jurisdiction, role=role, district=None, seat=1, defaults={"title": title}
    )
    owner: dict[str, Any] = {"office": obj}
    if holder:
        person, _ = Person.objects.get_or_create(
            ocd_person_id=f"test:{obj.pk}", defaults={"name": holder}
        )
        Term.objects.get_or_create(person=person, office=obj, start_date=None)
        owner = {"person": person}
    for kind, value in ((ContactKind.EMAIL, email), (ContactKind.ADDRESS, address)):
        if value:
            ContactPoint.objects.get_or_create(
                kind=kind, value=value, classification="capitol", **owner
            )
    return obj


def campaign(
    slug: str = "end-287g",
    *,
    asks: tuple[str, ...] = ("no_287g", "decline_detainers", "trust_values_act"),
) -> Campaign:
    camp = Campaign.objects.create(
        title="End ICE entanglement",
        title_es="Fin a la colaboración con ICE",
        slug=slug,
        letter_en="Dear {{ official.name }},\n\nWe write about {{ jurisdiction.name }}.\n\n{{ gaps }}\n\nSigned by {{ signatory_count }} organizations.",
        letter_es="Estimado/a {{ official.name }}:\n\nLe escribimos sobre {{ jurisdiction.name }}.\n\n{{ gaps }}\n\nFirmada por {{ signatory_count }} organizaciones.",
        languages=["en", "es"],
        status="delivering",
    )
    camp.asks.set([policy(s) for s in asks])
    return camp


def sign(camp: Campaign, name: str, home: Jurisdiction | None) -> Signature:
    org = Organization.objects.create(
        name=name, name_key=name.casefold(), similarity_key=name.casefold(), home_jurisdiction=home
    )
    return Signature.objects.create(
        campaign=camp, organization=org, status=SignatureStatus.APPROVED, contact_email="x@example.org",
        email_hash=f"hash-{org.pk}", decided_at=timezone.now(),
    )  # fmt: skip
