"""Explicit output dicts for /api/v1 (no model is ever dumped whole).

The lookup's body is assembled from JSON text: the parts that describe a
jurisdiction or a district and its legislators are serialized once per
memoized object (see ``residents.selectors``: per id and language,
never per ZIP) and reused; only the small per-request part (the ZIP, the
candidates, the picks) is serialized per request.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from firstline.campaigns.models import Campaign
from firstline.geo.models import District, Jurisdiction
from firstline.officials.models import ContactPoint, Office, Person
from firstline.policies.models import Instrument, LegalEvent, Policy, PolicyRecord
from firstline.policies.scorecard import PolicyLine, RecordRow, Summary
from firstline.policies.selectors import legal_event_json
from firstline.residents.selectors import (
    Candidate,
    DistrictCandidate,
    Gap,
    JurisdictionBlock,
    LookupResult,
    OfficeView,
)


def jurisdiction_json(j: Jurisdiction) -> dict[str, Any]:
    return {
        "ocd_id": j.ocd_id,
        "kind": j.kind,
        "name": j.name,
        "usps": j.usps,
        "geoid": j.geoid,
    }


def office_json(v: OfficeView) -> dict[str, Any]:
    o = v.office
    return {
        "id": o.pk,
        "role": o.role,
        "title": o.title,
        "district": o.district.ocd_id if o.district else None,
        "holders": v.holders,
        "emails": v.emails,
        "phones": [p.value for p in v.phones],
        "other_contacts": [{"kind": c.kind, "value": c.value} for c in v.other],
    }


def gap_json(g: Gap) -> dict[str, Any]:
    return {"policy": g.slug, "name": g.name, "summary": g.summary, "who_can_act": g.actors}


def block_json(b: JurisdictionBlock) -> dict[str, Any]:
    data = {
        **jurisdiction_json(b.jurisdiction),
        "score": b.score,
        "grade": b.grade,
        "gaps": [gap_json(g) for g in b.gaps] if b.scorecard_available else None,
        "harms": [gap_json(g) for g in b.harms] if b.scorecard_available else None,
        "coverage": b.coverage,
        "offices": [office_json(v) for v in b.offices],
    }
    if b.jurisdiction.kind == "county":
        data["agreements_287g"] = b.agreements_287g
    return data


def candidate_json(c: Candidate) -> dict[str, Any]:
    return {
        "ocd_id": c.jurisdiction.ocd_id,
        "name": c.jurisdiction.name,
        "weight": round(c.weight, 4) if c.weight is not None else None,
        "selected": c.selected,
    }


encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

# (kind, id, variant) -> (the memoized source object, its JSON fragment). A
# fragment is reused only while the selectors' memo hands out the very same
# object, so it is dropped exactly when that is.
# Most-used fragments are a few KB (Houston's block, 16 council members, ~25 KB):
# a bound on memory, reached only by a worker serving most of the country.
FRAGMENTS_MAX = 5_000
_fragments: dict[tuple[str, int, str], tuple[object, bytes]] = {}


def _fragment(key: tuple[str, int, str], source: object, build: Callable[[], Any]) -> bytes:
    hit = _fragments.get(key)
    if hit is not None and hit[0] is source:
        return hit[1]
    fragment = encode(build()).encode()
    if len(_fragments) >= FRAGMENTS_MAX:
        _fragments.clear()
    _fragments[key] = (source, fragment)
    return fragment


def block_fragment(b: JurisdictionBlock, language: str) -> bytes:
    return _fragment(("j", b.jurisdiction.pk, language), b, lambda: block_json(b))


def _district_json(c: DistrictCandidate) -> dict[str, Any]:
    return {
        "ocd_id": c.district.ocd_id,
        "chamber": c.district.chamber,
        "name": c.district.name,
        "selected": c.selected,
        "offices": [office_json(v) for v in c.offices],
    }


def district_fragment(c: DistrictCandidate) -> bytes:
    variant = "selected" if c.selected else ""
    return _fragment(("d", c.district.pk, variant), c.offices, lambda: _district_json(c))


def lookup_body(r: LookupResult, language: str) -> bytes:
    """``lookup_json(r)`` as JSON text: the small per-request head, then the cached
    jurisdiction and district fragments."""
    head = encode(_head_json(r))
    blocks = b",".join(block_fragment(b, language) for b in r.blocks)
    districts = b",".join(district_fragment(c) for cands in r.chambers.values() for c in cands)
    return b"".join(
        (head[:-1].encode(), b',"jurisdictions":[', blocks, b'],"districts":[', districts, b"]}")
    )


def _head_json(r: LookupResult) -> dict[str, Any]:
    """What a lookup answers before its jurisdictions and districts."""
    return {
        "zip": r.zip,
        "query": r.query,
        "certain": {
            "county": r.county_certain,
            "place": r.place_certain,
            "districts": r.districts_certain,
        },
        "candidates": _candidates_json(r),
    }


def _candidates_json(r: LookupResult) -> dict[str, Any]:
    return {
        "counties": [candidate_json(c) for c in r.counties],
        "places": [candidate_json(c) for c in r.places],
        "unincorporated_share": (
            round(r.unincorporated_share, 4) if r.unincorporated_share is not None else None
        ),
        "place_matches": [jurisdiction_json(j) for j in r.place_matches],
    }


def lookup_json(r: LookupResult) -> dict[str, Any]:
    return {
        **_head_json(r),
        "jurisdictions": [block_json(b) for b in r.blocks],
        "districts": [_district_json(c) for cands in r.chambers.values() for c in cands],
    }


# --- List and detail resources (see selectors.py) ---------------------------------------


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def _ocd(j: Jurisdiction | District | None) -> str | None:
    return j.ocd_id if j is not None else None


def jurisdiction_item(
    j: Jurisdiction, summary: Summary | None, line: PolicyLine | None, slugs: dict[int, str]
) -> dict[str, Any]:
    data = {
        **jurisdiction_json(j),
        "state": _ocd(j.state),
        "county": _ocd(j.county),
        "population": j.population,
        "score": summary.score if summary else None,
        "grade": summary.grade if summary else None,
        "incomplete": summary.incomplete if summary else None,
    }
    if line is not None:
        data["policy_status"] = effective_status_json(line, slugs)
    return data


def _record_citation(row: RecordRow | None, slugs: dict[int, str]) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "id": row.id,
        "policy": row.policy,
        "status": row.status,
        "citation": row.citation,
        "url": row.source_url or row.moa_url,
        "section": row.section,
        "instrument": slugs.get(row.instrument_id or 0),
    }


def effective_status_json(line: PolicyLine, slugs: dict[int, str]) -> dict[str, Any]:
    """A scorecard line with the provision behind it: its citation and URL (null when none)."""
    return {
        "policy": line.policy.slug,
        "effective_status": line.effective_status,
        "origin_ocd_id": line.origin_ocd_id,
        "provision": _record_citation(line.record, slugs),
        "reason": (
            {"ocd_id": line.reason_ocd_id, **(_record_citation(line.reason, slugs) or {})}
            if line.reason
            else None
        ),
    }


def policy_json(p: Policy, language: str, *, detail: bool = False) -> dict[str, Any]:
    es = language == "es"
    data = {
        "slug": p.slug,
        "kind": p.kind,
        "category": p.category,
        "levels": list(p.levels or ()),
        "weight": p.weight,
        "core": p.core,
        "name": (p.name_es if es and p.name_es else p.name_en),
        "summary": (p.summary_es if es and p.summary_es else p.summary_en),
        "negates": list(p.negates or ()),
        "preempts": list(p.preempts or ()),
        "related": list(p.related or ()),
    }
    if detail:
        data["model_language"] = (
            p.model_language_es if es and p.model_language_es else p.model_language
        )
    return data


def instrument_json(i: Instrument, *, detail: bool = False) -> dict[str, Any]:
    data = {
        "id": i.slug,
        "jurisdiction": _ocd(i.jurisdiction),
        "kind": i.kind,
        "title": i.title,
        "citation": i.citation,
        "url": i.url,
        "source_type": i.source_type,
        "status": i.status,
        "enacted_on": _iso(i.enacted_on),
        "effective_on": _iso(i.effective_on),
        "confidence": i.confidence,
        "verified_on": _iso(i.verified_on),
        "as_of": _iso(i.as_of),
        "provisions": [
            {
                "id": p.pk,
                "policy": p.policy.slug,
                "section": p.section,
                "extent": p.extent,
                "status": p.status,
            }
            for p in i.provisions.all()
        ],
        "events": [legal_event_json(e) for e in i.events.all()],
    }
    if detail:
        data["summary"] = i.summary
    return data


def provision_json(r: PolicyRecord, events: list[LegalEvent] | None = None) -> dict[str, Any]:
    """A provision's status with its citation and URL (a 287(g) agreement: its MOA)."""
    data = {
        "id": r.pk,
        "policy": r.policy.slug,
        "status": r.status,
        "jurisdiction": _ocd(r.jurisdiction),
        "level": r.level,
        "usps": r.usps,
        "agency": r.agency_name or r.other_name,
        "instrument": r.instrument.slug if r.instrument else None,
        "instrument_kind": r.instrument_kind,
        "citation": r.citation or (r.instrument.citation if r.instrument else ""),
        "url": r.source_url or r.moa_url or (r.instrument.url if r.instrument else ""),
        "section": r.section,
        "extent": r.extent,
        "support_model": r.support_model,
        "confidence": r.confidence,
        "enacted_on": _iso(r.enacted_on),
        "effective_on": _iso(r.effective_on),
        "signed_on": _iso(r.signed_on),
        "ended_on": _iso(r.ended_on),
        "verified_on": _iso(r.verified_on),
        "as_of": _iso(r.as_of),
    }
    if events is not None:
        data["events"] = [legal_event_json(e) for e in events]
    return data


def contact_json(c: ContactPoint) -> dict[str, Any]:
    return {
        "kind": c.kind,
        "value": c.value,
        "classification": c.classification,
        "source": c.source,
        "verified_on": _iso(c.verified_on),
    }


def _person_ids(p: Person) -> dict[str, Any]:
    known = p.ocd_person_id.startswith("ocd-person/")
    return {"id": p.ocd_person_id, "ocd_person_id": p.ocd_person_id if known else None}


def office_item(o: Office, language: str) -> dict[str, Any]:
    return {
        "id": o.pk,
        "jurisdiction": o.jurisdiction.ocd_id,
        "role": o.role,
        "title": o.localized_title(language),
        "district": _ocd(o.district),
        "seat": o.seat,
        "holders": [
            {
                **_person_ids(t.person),
                "name": t.person.name,
                "party": t.person.party,
                "start_date": _iso(t.start_date),
                "scheduled_end_date": _iso(t.scheduled_end_date),
                "contacts": [contact_json(c) for c in t.person.contacts.all()],
            }
            for t in getattr(o, "current_terms", [])
        ],
        "contacts": [contact_json(c) for c in o.contacts.all()],
    }


def official_json(p: Person, language: str) -> dict[str, Any]:
    return {
        **_person_ids(p),
        "name": p.name,
        "given_name": p.given_name,
        "family_name": p.family_name,
        "party": p.party,
        "offices": [
            {
                "id": t.office.pk,
                "jurisdiction": t.office.jurisdiction.ocd_id,
                "role": t.office.role,
                "title": t.office.localized_title(language),
                "district": _ocd(t.office.district),
                "start_date": _iso(t.start_date),
                "scheduled_end_date": _iso(t.scheduled_end_date),
            }
            for t in getattr(p, "current_terms", [])
        ],
        "contacts": [contact_json(c) for c in p.contacts.all()],
    }


def campaign_json(
    c: Campaign, language: str, signatories: list[str] | None = None
) -> dict[str, Any]:
    es = language == "es"
    data = {
        "id": c.slug,
        "title": c.title_es if es and c.title_es else c.title,
        "summary": c.summary_es if es and c.summary_es else c.summary,
        "status": c.status,
        "opens_at": c.opens_at.isoformat() if c.opens_at else None,
        "closes_at": c.closes_at.isoformat() if c.closes_at else None,
        "organizer": c.organizer.name if c.organizer else None,
        "asks": [p.slug for p in c.asks.all()],
        "signatory_count": c.approved_count,  # type: ignore[attr-defined]
    }
    if signatories is not None:
        data["signatories"] = signatories
    return data
