"""Explicit output dicts for /api/v1 (no model is ever dumped whole).

The lookup's body is assembled from JSON text: the parts that describe a
jurisdiction or a district and its legislators are serialized once per
memoized object (see ``residents.selectors``: per id and language,
never per ZIP) and reused; only the small per-request part (the ZIP, the
candidates, the picks) is serialized per request.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from firstline.geo.models import Jurisdiction
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


_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

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
    fragment = _encode(build()).encode()
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
    head = _encode(
        {
            "zip": r.zip,
            "query": r.query,
            "certain": {
                "county": r.county_certain,
                "place": r.place_certain,
                "districts": r.districts_certain,
            },
            "candidates": _candidates_json(r),
        }
    )
    blocks = b",".join(block_fragment(b, language) for b in r.blocks)
    districts = b",".join(district_fragment(c) for cands in r.chambers.values() for c in cands)
    return b"".join(
        (head[:-1].encode(), b',"jurisdictions":[', blocks, b'],"districts":[', districts, b"]}")
    )


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
        "zip": r.zip,
        "query": r.query,
        "certain": {
            "county": r.county_certain,
            "place": r.place_certain,
            "districts": r.districts_certain,
        },
        "candidates": _candidates_json(r),
        "jurisdictions": [block_json(b) for b in r.blocks],
        "districts": [_district_json(c) for cands in r.chambers.values() for c in cands],
    }
