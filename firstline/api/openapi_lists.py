"""The OpenAPI description of the list and detail endpoints (merged by ``openapi.document``).

Enumerations come from the models' choices, so the document and the
validation in ``views.py`` cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from firstline.api.listing import DEFAULT_LIMIT, MAX_LIMIT
from firstline.campaigns.models import CampaignStatus
from firstline.geo.models import JurisdictionKind
from firstline.officials.models import ContactKind, Role
from firstline.policies.models import (
    InstrumentKind,
    InstrumentStatus,
    PolicyCategory,
    PolicyKind,
    RecordStatus,
)
from firstline.policies.scorecard import GRADE_BANDS, EffectiveStatus

STRING = {"type": "string"}
NULLABLE_STRING = {"type": ["string", "null"]}
DATE = {"type": ["string", "null"], "format": "date"}
GRADES = [grade for _floor, grade in GRADE_BANDS]
PUBLIC_CAMPAIGN_STATUSES = [s for s in CampaignStatus.values if s != CampaignStatus.DRAFT]
# Path integers are database keys: bounded so a client's overflow is a 404, not a crash.
MAX_ID = 2**63 - 1


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(properties: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "object", "required": list(properties), "properties": properties, **extra}


def _array(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": item}


def _page(item: str) -> dict[str, Any]:
    return _obj(
        {
            "results": _array(ref(item)),
            "next": {
                "type": ["string", "null"],
                "description": "The next page (same filters), or null on the last page.",
            },
        }
    )


CITED_RECORD = _obj(
    {
        "id": {"type": "integer", "description": "The provision; see /provisions/{id}."},
        "policy": STRING,
        "status": {"type": "string", "enum": RecordStatus.values},
        "citation": STRING,
        "url": {"type": "string", "description": "The source: the law, order or 287(g) MOA."},
        "section": STRING,
        "instrument": {**NULLABLE_STRING, "description": "The instrument's id, if any."},
    }
)

SCHEMAS: dict[str, Any] = {
    "CitedRecord": CITED_RECORD,
    "EffectiveStatus": _obj(
        {
            "policy": STRING,
            "effective_status": {"type": "string", "enum": EffectiveStatus.values},
            "origin_ocd_id": {
                **NULLABLE_STRING,
                "description": "The level (own, county or state) whose record counts here.",
            },
            "provision": {
                "oneOf": [ref("CitedRecord"), {"type": "null"}],
                "description": "The provision behind the status, with its citation and URL; "
                "null when none is on record (absent or not researched).",
            },
            "reason": {
                "oneOf": [
                    {"allOf": [ref("CitedRecord")], "properties": {"ocd_id": STRING}},
                    {"type": "null"},
                ],
                "description": "For a preempted or cancelled protection: the harmful record that cancels it.",
            },
        }
    ),
    "PolicyItem": _obj(
        {
            "slug": STRING,
            "kind": {"type": "string", "enum": PolicyKind.values},
            "category": {"type": "string", "enum": PolicyCategory.values},
            "levels": _array(STRING),
            "weight": {"type": "integer", "minimum": 1, "maximum": 3},
            "core": {"type": "boolean"},
            "name": STRING,
            "summary": STRING,
            "negates": _array(STRING),
            "preempts": _array(STRING),
            "related": _array(STRING),
        },
        description="A catalog entry; the detail adds `model_language`.",
    ),
    "ProvisionBrief": _obj(
        {
            "id": {"type": "integer"},
            "policy": STRING,
            "section": STRING,
            "extent": {"type": "string", "enum": ["full", "partial"]},
            "status": {"type": "string", "enum": RecordStatus.values},
        }
    ),
    "InstrumentItem": _obj(
        {
            "id": {"type": "string", "description": "The evidence id (stable)."},
            "jurisdiction": STRING,
            "kind": {"type": "string", "enum": InstrumentKind.values},
            "title": STRING,
            "citation": STRING,
            "url": STRING,
            "source_type": STRING,
            "status": {"type": "string", "enum": InstrumentStatus.values},
            "enacted_on": DATE,
            "effective_on": DATE,
            "confidence": {"type": "string", "enum": ["verified", "unverified"]},
            "verified_on": DATE,
            "as_of": DATE,
            "provisions": _array(ref("ProvisionBrief")),
            "events": _array(ref("LegalEvent")),
        },
        description="A law, ordinance, order, court decision or agreement; the detail adds `summary`.",
    ),
    "ProvisionItem": _obj(
        {
            "id": {"type": "integer"},
            "policy": STRING,
            "status": {"type": "string", "enum": RecordStatus.values},
            "jurisdiction": {
                **NULLABLE_STRING,
                "description": "null for an agency of no state, county or place.",
            },
            "level": {"type": "string", "enum": ["state", "county", "place", "other"]},
            "usps": STRING,
            "agency": {"type": "string", "description": "The agency of a 287(g) agreement."},
            "instrument": NULLABLE_STRING,
            "instrument_kind": STRING,
            "citation": STRING,
            "url": STRING,
            "section": STRING,
            "extent": STRING,
            "support_model": STRING,
            "confidence": STRING,
            "enacted_on": DATE,
            "effective_on": DATE,
            "signed_on": DATE,
            "ended_on": DATE,
            "verified_on": DATE,
            "as_of": DATE,
        },
        description="One instrument putting one policy in force in one jurisdiction (or a "
        "287(g) agreement), with its status, citation and URL; the detail adds `events`.",
    ),
    "PublicContact": _obj(
        {
            "kind": {"type": "string", "enum": ContactKind.values},
            "value": STRING,
            "classification": STRING,
            "source": STRING,
            "verified_on": DATE,
        }
    ),
    "Holder": _obj(
        {
            "id": {"type": "string", "description": "The person's id: see /officials/{id}."},
            "ocd_person_id": {**NULLABLE_STRING, "description": "ocd-person id, where known."},
            "name": STRING,
            "party": STRING,
            "start_date": DATE,
            "scheduled_end_date": DATE,
            "contacts": _array(ref("PublicContact")),
        }
    ),
    "OfficeItem": _obj(
        {
            "id": {"type": "integer"},
            "jurisdiction": STRING,
            "role": {"type": "string", "enum": Role.values},
            "title": STRING,
            "district": NULLABLE_STRING,
            "seat": {"type": "integer"},
            "holders": _array(ref("Holder")),
            "contacts": _array(ref("PublicContact")),
        },
        description="A seat; it can exist with no known holder.",
    ),
    "OfficialItem": _obj(
        {
            "id": STRING,
            "ocd_person_id": NULLABLE_STRING,
            "name": STRING,
            "given_name": STRING,
            "family_name": STRING,
            "party": STRING,
            "offices": _array(
                _obj(
                    {
                        "id": {"type": "integer"},
                        "jurisdiction": STRING,
                        "role": {"type": "string", "enum": Role.values},
                        "title": STRING,
                        "district": NULLABLE_STRING,
                        "start_date": DATE,
                        "scheduled_end_date": DATE,
                    }
                )
            ),
            "contacts": _array(ref("PublicContact")),
        }
    ),
    "CampaignItem": _obj(
        {
            "id": STRING,
            "title": STRING,
            "summary": STRING,
            "status": {"type": "string", "enum": PUBLIC_CAMPAIGN_STATUSES},
            "opens_at": {**NULLABLE_STRING, "format": "date-time"},
            "closes_at": {**NULLABLE_STRING, "format": "date-time"},
            "organizer": NULLABLE_STRING,
            "asks": _array(STRING),
            "signatory_count": {"type": "integer", "minimum": 0},
        },
        description="Public data only; the detail adds `signatories` (organization names).",
    ),
}
SCHEMAS["JurisdictionItem"] = {
    "allOf": [ref("Jurisdiction")],
    "type": "object",
    "required": ["state", "county", "population", "score", "grade", "incomplete"],
    "properties": {
        "state": {**NULLABLE_STRING, "description": "ocd id of the state."},
        "county": {**NULLABLE_STRING, "description": "ocd id of a place's primary county."},
        "population": {"type": ["integer", "null"]},
        "score": {"type": ["integer", "null"], "minimum": 0, "maximum": 100},
        "grade": {"type": ["string", "null"], "enum": [*GRADES, None]},
        "incomplete": {"type": ["boolean", "null"]},
        "policy_status": {
            **ref("EffectiveStatus"),
            "description": "With `policy=`: that policy's effective status here, with its citation.",
        },
    },
}
# Details carry a little more than list items (optional in the shared schema).
SCHEMAS["PolicyItem"]["properties"]["model_language"] = {
    **STRING,
    "description": "Detail only: suggested wording for a law or ordinance.",
}
SCHEMAS["InstrumentItem"]["properties"]["summary"] = {**STRING, "description": "Detail only."}
SCHEMAS["ProvisionItem"]["properties"]["events"] = {
    **_array(ref("LegalEvent")),
    "description": "Detail only: the legal events on its instrument that concern it.",
}
SCHEMAS["CampaignItem"]["properties"]["signatories"] = {
    **_array(STRING),
    "description": "Detail only: names of the approved signatory organizations.",
}
for _name in (
    "Jurisdiction",
    "Policy",
    "Instrument",
    "Provision",
    "Office",
    "Official",
    "Campaign",
):
    SCHEMAS[f"{_name}Page"] = _page(f"{_name}Item")


def _param(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema,
    }


def _enum(name: str, description: str, values: list[str]) -> dict[str, Any]:
    return _param(name, description, {"type": "string", "enum": values})


PAGING = [
    _param(
        "limit",
        f"Page size, 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT}).",
        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
    ),
    _param(
        "cursor",
        "Opaque: copy it from a page's `next` link.",
        {"type": "string", "pattern": "^[0-9]{1,12}$"},
    ),
]
STATE = _param(
    "state", "Two-letter state code, e.g. `TX`.", {"type": "string", "pattern": "^[A-Za-z]{2}$"}
)
JURISDICTION = _param(
    "jurisdiction",
    "OCD division id of a state, county or place.",
    {"type": "string", "pattern": "^ocd-division/[^\\s]{1,190}$"},
)
POLICY = _param(
    "policy",
    "A policy slug from /policies (an unknown one is a 400).",
    {"type": "string", "pattern": "^[a-z0-9_-]{1,120}$"},
)
ROLE = _enum("role", "An official role.", Role.values)
SLUG_PATH = {
    "name": "slug",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]+$"},
}
INT_PATH = {
    "name": "pk",
    "in": "path",
    "required": True,
    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
}
LIST_ERRORS = {"400": "A malformed or unknown parameter."}


@dataclass(frozen=True)
class Resource:
    """A list at ``/<plural>`` and, when ``detail`` names its path parameter, its detail."""

    plural: str
    singular: str
    item: str
    summary: str
    filters: list[dict[str, Any]]
    detail_summary: str = ""
    detail: dict[str, Any] | None = None
    localized: bool = False


def _resources() -> list[Resource]:
    person_id = {"name": "person_id", "in": "path", "required": True, "schema": STRING}
    return [
        Resource(
            "jurisdictions",
            "jurisdiction",
            "Jurisdiction",
            "States, counties and places, filtered by state, kind, grade or a policy's "
            "effective status (e.g. `policy=no_287g&status=in_force`).",
            [
                STATE,
                _enum("kind", "state, county or place.", JurisdictionKind.values),
                _enum("grade", "A scorecard grade.", GRADES),
                {**POLICY, "description": POLICY["description"] + " Adds `policy_status`."},
                _enum(
                    "status",
                    "The policy's effective status (needs `policy`).",
                    EffectiveStatus.values,
                ),
            ],
        ),
        Resource(
            "policies",
            "policy",
            "Policy",
            "The policy catalog.",
            [
                _enum("kind", "protective or harmful.", PolicyKind.values),
                _enum("category", "A catalog category.", PolicyCategory.values),
                _enum(
                    "core", "Core policies only (true) or the others (false).", ["true", "false"]
                ),
            ],
            "One catalog entry, with model language.",
            SLUG_PATH,
            localized=True,
        ),
        Resource(
            "instruments",
            "instrument",
            "Instrument",
            "Laws, ordinances, orders, court decisions and agreements, with their provisions "
            "and legal events.",
            [
                STATE,
                JURISDICTION,
                {**POLICY, "description": "Instruments with a provision of this policy."},
                _enum("status", "The enactment outcome.", InstrumentStatus.values),
                _enum("kind", "The kind of instrument.", InstrumentKind.values),
            ],
            "One instrument, with its summary.",
            SLUG_PATH,
        ),
        Resource(
            "provisions",
            "provision",
            "Provision",
            "Provisions (instrument x policy) and 287(g) agreements, each with its status, "
            "citation and URL.",
            [
                STATE,
                JURISDICTION,
                POLICY,
                _enum("status", "The provision's status.", RecordStatus.values),
            ],
            "One provision, with the legal events that concern it.",
            INT_PATH,
        ),
        Resource(
            "offices",
            "office",
            "Office",
            "Seats with their current holders and public contact points.",
            [
                STATE,
                {**JURISDICTION, "description": "Offices of (or covering) this OCD division."},
                ROLE,
            ],
            "One office.",
            INT_PATH,
            localized=True,
        ),
        Resource(
            "officials",
            "official",
            "Official",
            "People holding an office now, with ocd-person ids where known and public contacts.",
            [STATE, JURISDICTION, ROLE],
            "One official, by id (an ocd-person id where known; its slash is part of the path).",
            person_id,
            localized=True,
        ),
        Resource(
            "campaigns",
            "campaign",
            "Campaign",
            "Public campaigns: title, status, asks and signatory counts.",
            [_enum("status", "A public status.", PUBLIC_CAMPAIGN_STATUSES)],
            "One public campaign, with its signatory organizations' names.",
            SLUG_PATH,
            localized=True,
        ),
    ]


def paths(get: Any, lang: dict[str, Any]) -> dict[str, Any]:
    """``get`` is ``openapi._get``; ``lang`` its language parameter."""
    out: dict[str, Any] = {}
    for r in _resources():
        langs = [lang] if r.localized else []
        out[f"/{r.plural}"] = get(
            r.plural,
            r.summary,
            (f"A page of {r.plural}.", ref(f"{r.item}Page")),
            parameters=[*r.filters, *PAGING, *langs],
            errors=LIST_ERRORS,
        )
        if r.detail is not None:
            out[f"/{r.plural}/{{{r.detail['name']}}}"] = get(
                r.singular,
                r.detail_summary,
                (f"The {r.singular}.", ref(f"{r.item}Item")),
                parameters=[r.detail, *langs],
                errors={"404": "No such record."},
            )
    return out
