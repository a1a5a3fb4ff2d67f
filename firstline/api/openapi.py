"""The OpenAPI 3.1 description of /api/v1, written by hand.

It is checked by ``firstline/api/tests/test_openapi.py``: the document's
structure, every ``$ref``, that every URL pattern is described, and that real
responses validate against these schemas.
"""

from __future__ import annotations

from typing import Any

from firstline.api import openapi_lists

NULLABLE_STRING = {"type": ["string", "null"]}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _error_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": _ref("Error")}},
    }


LANG_PARAM = {
    "name": "lang",
    "in": "query",
    "required": False,
    # Any other value answers in English (as it always has), so it is no error.
    "description": "Language of names, summaries and messages: `en` or `es`; "
    "any other value means `en`.",
    "schema": {"type": "string", "default": "en", "examples": ["en", "es"]},
}

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {"error": {"type": "string", "description": "A human-readable message."}},
        "additionalProperties": False,
    },
    "Ping": {
        "type": "object",
        "required": ["ok"],
        "properties": {"ok": {"type": "boolean"}},
    },
    "Jurisdiction": {
        "type": "object",
        "required": ["ocd_id", "kind", "name", "usps", "geoid"],
        "properties": {
            "ocd_id": {
                "type": "string",
                "examples": ["ocd-division/country:us/state:tx/county:harris"],
            },
            "kind": {"type": "string", "enum": ["state", "county", "place"]},
            "name": {"type": "string"},
            "usps": {"type": "string", "minLength": 2, "maxLength": 2},
            "geoid": {"type": "string"},
        },
    },
    "Contact": {
        "type": "object",
        "required": ["kind", "value"],
        "properties": {"kind": {"type": "string"}, "value": {"type": "string"}},
    },
    "Office": {
        "type": "object",
        "required": [
            "id",
            "role",
            "title",
            "district",
            "holders",
            "emails",
            "phones",
            "other_contacts",
        ],
        "properties": {
            "id": {"type": "integer"},
            "role": {
                "type": "string",
                "examples": ["governor", "state_senator", "sheriff", "mayor"],
            },
            "title": {"type": "string"},
            "district": {
                **NULLABLE_STRING,
                "description": "ocd id of the legislative district, if any.",
            },
            "holders": {"type": "array", "items": {"type": "string"}},
            "emails": {"type": "array", "items": {"type": "string"}},
            "phones": {"type": "array", "items": {"type": "string"}},
            "other_contacts": {"type": "array", "items": _ref("Contact")},
        },
    },
    "Gap": {
        "type": "object",
        "required": ["policy", "name", "summary", "who_can_act"],
        "properties": {
            "policy": {"type": "string", "description": "Policy slug in the catalog."},
            "name": {"type": "string"},
            "summary": {"type": "string"},
            "who_can_act": {"type": "array", "items": {"type": "string"}},
        },
    },
    "Agreement287g": {
        "type": "object",
        "required": ["agency", "status", "in_force", "model", "signed_on"],
        "properties": {
            "agency": {"type": "string"},
            "status": {"type": "string"},
            "status_label": {"type": "string"},
            "in_force": {"type": "boolean"},
            "model": {"type": "string"},
            "model_label": {"type": "string"},
            "signed_on": {**NULLABLE_STRING, "format": "date"},
            "source_url": {"type": "string"},
            "as_of": {**NULLABLE_STRING, "format": "date"},
        },
    },
    "JurisdictionResult": {
        "allOf": [_ref("Jurisdiction")],
        "type": "object",
        "required": ["score", "grade", "gaps", "harms", "offices"],
        "properties": {
            "score": {"type": ["number", "null"], "minimum": 0, "maximum": 100},
            "grade": {**NULLABLE_STRING, "enum": ["A", "B", "C", "D", "F", None]},
            "gaps": {
                "type": ["array", "null"],
                "items": _ref("Gap"),
                "description": "Protective policies not in force that this level can adopt; null while no scorecard exists.",
            },
            "harms": {"type": ["array", "null"], "items": _ref("Gap")},
            "coverage": {
                "oneOf": [_ref("Coverage"), {"type": "null"}],
                "description": "Research coverage of the core policies; null while no scorecard exists. The full scorecard is at /scorecards/{ocd_id}.",
            },
            "offices": {"type": "array", "items": _ref("Office")},
            "agreements_287g": {
                "type": "array",
                "items": _ref("Agreement287g"),
                "description": "Counties only.",
            },
        },
    },
    "Instrument": {
        "type": "object",
        "description": "The law, ordinance, order, court decision or agreement a provision belongs to.",
        "required": [
            "id",
            "kind",
            "title",
            "citation",
            "url",
            "source_type",
            "status",
            "confidence",
        ],
        "properties": {
            "id": {
                "type": ["string", "null"],
                "description": "The evidence id; null for a 287(g) agreement, its own instrument (ICE's list).",
            },
            "kind": {"type": "string"},
            "title": {"type": "string"},
            "citation": {"type": "string"},
            "url": {"type": "string"},
            "source_type": {
                "type": "string",
                "enum": [
                    "legislature",
                    "official_code",
                    "court",
                    "executive",
                    "agency",
                    "secondary",
                    "",
                ],
            },
            "status": {"type": "string", "enum": ["enacted", "proposed", "failed", "vetoed"]},
            "confidence": {"type": "string", "enum": ["verified", "unverified"]},
            "as_of": {**NULLABLE_STRING, "format": "date"},
        },
    },
    "LegalEvent": {
        "type": "object",
        "required": ["kind", "date", "body", "reference"],
        "properties": {
            "kind": {
                "type": "string",
                "enum": [
                    "enjoined",
                    "injunction_lifted",
                    "struck_down",
                    "upheld",
                    "repealed",
                    "amended",
                    "superseded",
                    "expired",
                ],
            },
            "date": {"type": "string", "format": "date"},
            "body": {"type": "string"},
            "reference": {"type": "string"},
            "url": {"type": "string"},
            "source_type": {"type": "string"},
            "provisions": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Empty: the whole instrument.",
            },
        },
    },
    "Coverage": {
        "type": "object",
        "description": "Research coverage of the core policies over the chain (own, county, state).",
        "required": ["core_total", "core_researched", "core_not_researched", "incomplete"],
        "properties": {
            "core_total": {"type": "integer"},
            "core_researched": {"type": "integer"},
            "core_not_researched": {"type": "array", "items": {"type": "string"}},
            "incomplete": {
                "type": "boolean",
                "description": "True when a core policy is not researched: the grade rests on part of the picture.",
            },
        },
    },
    "Provision": {
        "type": "object",
        "description": "The record behind a line: a provision of an instrument, or a 287(g) agreement.",
        "properties": {
            "id": {"type": "integer"},
            "status": {"type": "string"},
            "confidence": {"type": "string"},
            "citation": {"type": "string"},
            "source_url": {"type": "string"},
            "section": {"type": "string"},
            "extent": {"type": "string", "enum": ["full", "partial"]},
            "agency_name": {"type": "string"},
            "instrument": _ref("Instrument"),
            "events": {"type": "array", "items": _ref("LegalEvent")},
        },
    },
    "Scorecard": {
        "type": "object",
        "required": ["ocd_id", "kind", "name", "score", "grade", "gaps", "coverage", "policies"],
        "properties": {
            "ocd_id": {"type": "string"},
            "kind": {"type": "string"},
            "name": {"type": "string"},
            "score": {"type": "integer", "minimum": 0, "maximum": 100},
            "grade": {"type": "string", "enum": ["A", "B", "C", "D", "F"]},
            "as_of": {**NULLABLE_STRING, "format": "date"},
            "gaps": {"type": "array", "items": {"type": "string"}},
            "coverage": _ref("Coverage"),
            "policies": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "policy": {"type": "string"},
                        "kind": {"type": "string", "enum": ["protective", "harmful"]},
                        "effective_status": {
                            "type": "string",
                            "description": "none = not researched; absent = researched, not in force; held_above = a state agency's fact shown on a county or city card.",
                        },
                        "researched": {"type": "boolean"},
                        "credit": {"type": "number"},
                        "origin_level": NULLABLE_STRING,
                        "origin_ocd_id": NULLABLE_STRING,
                        "record": {"oneOf": [_ref("Provision"), {"type": "null"}]},
                        "reason": {
                            "type": "object",
                            "description": "The harmful record that cancels this line, and the level holding it.",
                            "properties": {
                                "policy": {"type": "string"},
                                "ocd_id": {"type": "string"},
                                "level": {"type": "string", "enum": ["state", "county", "place"]},
                                "record": _ref("Provision"),
                            },
                        },
                    },
                },
            },
        },
    },
    "Candidate": {
        "type": "object",
        "required": ["ocd_id", "name", "weight", "selected"],
        "properties": {
            "ocd_id": {"type": "string"},
            "name": {"type": "string"},
            "weight": {
                "type": ["number", "null"],
                "minimum": 0,
                "maximum": 1,
                "description": "Share of the ZIP code area's land in this jurisdiction.",
            },
            "selected": {"type": "boolean"},
        },
    },
    "District": {
        "type": "object",
        "required": ["ocd_id", "chamber", "name", "selected", "offices"],
        "properties": {
            "ocd_id": {"type": "string"},
            "chamber": {"type": "string", "enum": ["upper", "lower", "unicameral"]},
            "name": {"type": "string"},
            "selected": {"type": "boolean"},
            "offices": {"type": "array", "items": _ref("Office")},
        },
    },
    "Lookup": {
        "type": "object",
        "required": ["zip", "query", "certain", "candidates", "jurisdictions", "districts"],
        "properties": {
            "zip": NULLABLE_STRING,
            "query": NULLABLE_STRING,
            "certain": {
                "type": "object",
                "required": ["county", "place", "districts"],
                "description": "False where the ZIP spans several areas and the caller has not picked one.",
                "properties": {
                    "county": {"type": "boolean"},
                    "place": {"type": "boolean"},
                    "districts": {"type": "boolean"},
                },
            },
            "candidates": {
                "type": "object",
                "required": ["counties", "places", "unincorporated_share", "place_matches"],
                "properties": {
                    "counties": {"type": "array", "items": _ref("Candidate")},
                    "places": {"type": "array", "items": _ref("Candidate")},
                    "unincorporated_share": {"type": ["number", "null"]},
                    "place_matches": {"type": "array", "items": _ref("Jurisdiction")},
                },
            },
            "jurisdictions": {
                "type": "array",
                "items": _ref("JurisdictionResult"),
                "description": "State, then county, then place (the selected candidates).",
            },
            "districts": {
                "type": "array",
                "items": _ref("District"),
                "description": "Every state legislative district the ZIP touches, per chamber.",
            },
        },
    },
}


def _q(name: str, description: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": "string"},
        **extra,
    }


OCD_ID_PARAM: dict[str, Any] = {
    "name": "ocd_id",
    "in": "path",
    "required": True,
    "description": "Open Civic Data division id; its slashes are part of the path.",
    "schema": {"type": "string"},
}


def _get(
    operation_id: str,
    summary: str,
    ok: tuple[str, dict[str, Any]],
    *,
    parameters: list[dict[str, Any]] | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    """One GET operation: its 200 response and its documented errors."""
    description, schema = ok
    responses: dict[str, Any] = {
        "200": {"description": description, "content": {"application/json": {"schema": schema}}}
    }
    responses |= {code: _error_response(text) for code, text in (errors or {}).items()}
    operation: dict[str, Any] = {
        "operationId": operation_id,
        "summary": summary,
        "responses": responses,
    }
    if parameters:
        operation["parameters"] = parameters
    return {"get": operation}


def _lookup_parameters() -> list[dict[str, Any]]:
    return [
        _q(
            "zip",
            "5-digit ZIP code (ZIP+4 accepted). Give `zip` or `q`.",
            examples={"houston": {"value": "77002"}},
        ),
        _q("q", "A place name, e.g. `Houston, TX`."),
        _q("county", "ocd id of the county the caller picked among the candidates."),
        _q("place", "ocd id of the place picked among the candidates, or `none` (unincorporated)."),
        {
            "name": "district",
            "in": "query",
            "required": False,
            "description": "ocd id of a picked district; repeat once per chamber.",
            "schema": {"type": "array", "items": {"type": "string"}},
            "style": "form",
            "explode": True,
        },
        LANG_PARAM,
    ]


def _paths() -> dict[str, Any]:
    return {
        "/ping": _get(
            "ping",
            "Liveness check (also the baseline of bench/lookup.py).",
            ("Up.", _ref("Ping")),
        ),
        "/lookup": _get(
            "lookup",
            "Jurisdictions, grades, gaps, districts and officials for a ZIP code or place.",
            ("The lookup.", _ref("Lookup")),
            parameters=_lookup_parameters(),
            errors={
                "400": "Missing or malformed ZIP code.",
                "404": "Not a ZIP code area (e.g. PO-box-only), or no such place.",
                "405": "Method not allowed.",
            },
        ),
        "/jurisdictions/{ocd_id}": _get(
            "jurisdiction",
            "One state, county or place: grade, gaps and at-large officials.",
            ("The jurisdiction.", _ref("JurisdictionResult")),
            parameters=[OCD_ID_PARAM, LANG_PARAM],
            errors={"404": "No such jurisdiction."},
        ),
        "/scorecards/{ocd_id}": _get(
            "scorecard",
            "One jurisdiction's full scorecard: each policy with the provision, instrument "
            "and legal events behind it, and research coverage.",
            ("The scorecard.", _ref("Scorecard")),
            parameters=[
                OCD_ID_PARAM,
                _q("as_of", "A date (YYYY-MM-DD): the status as of that day."),
                LANG_PARAM,
            ],
            errors={"400": "Malformed as_of.", "404": "No such jurisdiction."},
        ),
        **openapi_lists.paths(_get, LANG_PARAM),
        "/openapi.json": _get(
            "openapi", "This document.", ("OpenAPI 3.1 document.", {"type": "object"})
        ),
        "/docs": {
            "get": {
                "operationId": "docs",
                "summary": "This document as a reference page (HTML).",
                "responses": {
                    "200": {
                        "description": "The reference page.",
                        "content": {"text/html": {"schema": {"type": "string"}}},
                    }
                },
            }
        },
    }


def document(*, server: str = "/api/v1") -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Firstline public API",
            "version": "1.0.0",
            "summary": "Local immigrant protections, gaps and officials, by ZIP code or place.",
            "description": (
                "Read-only and unauthenticated. Errors always have the shape "
                '`{"error": "..."}`. Requests are not logged and lookups are not cached. '
                "Lists are paged: `limit` (at most 100) and `cursor`, copied from a "
                "page's `next` link. Ids are stable: OCD division ids for "
                "jurisdictions, ocd-person ids for officials where known, evidence ids "
                "for instruments."
            ),
            "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"},
        },
        "servers": [{"url": server}],
        "paths": _paths(),
        "components": {"schemas": SCHEMAS | openapi_lists.SCHEMAS},
    }


def reference(doc: dict[str, Any]) -> dict[str, Any]:
    """The document arranged for the server-rendered reference page (templates/api/docs.html)."""
    operations = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "id": op["operationId"],
                    "summary": op["summary"],
                    "parameters": [
                        {**p, "type": _type_label(p.get("schema", {}))}
                        for p in op.get("parameters", [])
                    ],
                    "responses": [
                        {
                            "status": status,
                            "description": r["description"],
                            "schema": _type_label(_body_schema(r)),
                        }
                        for status, r in op["responses"].items()
                    ],
                }
            )
    schemas = [
        {
            "name": name,
            "description": schema.get("description", ""),
            "fields": [
                {
                    "name": field,
                    "type": _type_label(sub),
                    "required": field in schema.get("required", []),
                    "description": sub.get("description", ""),
                }
                for field, sub in schema.get("properties", {}).items()
            ],
        }
        for name, schema in sorted(doc["components"]["schemas"].items())
    ]
    return {"doc": doc, "operations": operations, "schemas": schemas}


def _body_schema(response: dict[str, Any]) -> dict[str, Any]:
    media: dict[str, Any] = next(iter(response.get("content", {}).values()), {})
    return media.get("schema", {})


def _type_label(schema: dict[str, Any]) -> str:
    """A short type for a table cell: ``string``, ``integer (1-100)``, ``Office[]``, ``a | b``."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    for key in ("oneOf", "allOf"):
        if key in schema:
            return " | ".join(_type_label(s) for s in schema[key])
    kind = schema.get("type", "object")
    if kind == "array":
        return _type_label(schema.get("items", {})) + "[]"
    label = " | ".join(kind) if isinstance(kind, list) else kind
    if "enum" in schema:
        label += ": " + ", ".join(str(v) for v in schema["enum"] if v is not None)
    if "pattern" in schema:
        label += f" /{schema['pattern']}/"
    if "minimum" in schema or "maximum" in schema:
        label += f" ({schema.get('minimum', '')}-{schema.get('maximum', '')})"
    return label
