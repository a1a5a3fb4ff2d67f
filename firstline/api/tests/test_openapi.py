"""The hand-written OpenAPI 3.1 document: well-formed, complete, and true of real responses."""

import re

import pytest

from firstline.api import openapi

TYPES = {
    "object": dict,
    "array": list,
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "null": type(None),
}


def resolve(doc, ref):
    assert ref.startswith("#/"), ref
    node = doc
    for part in ref[2:].split("/"):
        node = node[part]
    return node


def validate(doc, schema, value, path="$"):
    """A small JSON Schema (2020-12) subset: enough for our document, strict where used."""
    if "$ref" in schema:
        validate(doc, resolve(doc, schema["$ref"]), value, path)
    for sub in schema.get("allOf", []):
        validate(doc, sub, value, path)
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        ok = any(
            isinstance(value, TYPES[t])
            and not (t in ("integer", "number") and isinstance(value, bool))
            for t in types
        )
        assert ok, f"{path}: {value!r} is not {types}"
    if "enum" in schema:
        assert value in schema["enum"], f"{path}: {value!r} not in {schema['enum']}"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        assert value >= schema.get("minimum", value) and value <= schema.get("maximum", value), path
    if isinstance(value, str):
        assert schema.get("minLength", 0) <= len(value) <= schema.get("maxLength", len(value)), path
    if isinstance(value, dict):
        for key in schema.get("required", []):
            assert key in value, f"{path}: missing {key}"
        props = schema.get("properties", {})
        if schema.get("additionalProperties") is False:
            assert set(value) <= set(props), f"{path}: extra {set(value) - set(props)}"
        for key, sub in props.items():
            if key in value:
                validate(doc, sub, value[key], f"{path}.{key}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            validate(doc, schema["items"], item, f"{path}[{i}]")


def all_refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from all_refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from all_refs(value)


def test_document_structure():
    doc = openapi.document()
    assert doc["openapi"] == "3.1.0"
    assert doc["info"]["title"] and doc["info"]["version"]
    for ref in all_refs(doc):
        resolve(doc, ref)  # every $ref points somewhere
    op_ids = []
    for path, item in doc["paths"].items():
        assert path.startswith("/")
        for method, op in item.items():
            assert method in {"get", "post", "put", "patch", "delete"}
            op_ids.append(op["operationId"])
            assert op["responses"], path
            for status, response in op["responses"].items():
                assert re.fullmatch(r"[1-5]\d\d|default", status)
                assert response["description"]
            templated = set(re.findall(r"{(\w+)}", path))
            declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            assert templated == declared, path
            for p in op.get("parameters", []):
                assert p["in"] in {"query", "path", "header", "cookie"}
                assert p["in"] != "path" or p["required"] is True
    assert len(op_ids) == len(set(op_ids))


def test_every_url_is_described():
    from firstline.api import urls

    doc_paths = set(openapi.document()["paths"])
    for pattern in urls.urlpatterns:
        route = str(pattern.pattern)
        if route.startswith("^"):
            continue  # the JSON 404 catch-all
        documented = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
        assert documented in doc_paths, route


@pytest.mark.django_db
def test_served_document_and_real_responses_validate(client):
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["openapi"] == "3.1.0"
    cases = [
        ("/lookup", {"zip": "77002"}, 200),
        ("/lookup", {"zip": "20001"}, 200),
        ("/lookup", {"zip": "77444"}, 200),
        ("/lookup", {"q": "Houston, TX"}, 200),
        ("/lookup", {"zip": "77001"}, 404),
        ("/lookup", {"zip": "x"}, 400),
        ("/ping", {}, 200),
    ]
    for path, params, status in cases:
        response = client.get("/api/v1" + path, params)
        assert response.status_code == status, (path, params)
        spec = doc["paths"][path]["get"]["responses"][str(status)]
        validate(
            doc, spec["content"]["application/json"]["schema"], response.json(), f"{path}{params}"
        )
    harris = client.get("/api/v1/jurisdictions/ocd-division/country:us/state:tx/county:harris")
    spec = doc["paths"]["/jurisdictions/{ocd_id}"]["get"]["responses"]["200"]
    validate(doc, spec["content"]["application/json"]["schema"], harris.json())
    coverage = harris.json()["coverage"]
    validate(doc, doc["components"]["schemas"]["Coverage"], coverage)
    assert coverage["core_total"] == 11
    scorecard = doc["paths"]["/scorecards/{ocd_id}"]["get"]["responses"]
    for ocd_id, params in (
        ("ocd-division/country:us/state:ca", {}),
        ("ocd-division/country:us/state:ny/county:nassau", {}),
        ("ocd-division/country:us/state:tx/county:harris", {"as_of": "2024-01-01"}),
    ):
        response = client.get("/api/v1/scorecards/" + ocd_id, params)
        assert response.status_code == 200
        validate(doc, scorecard["200"]["content"]["application/json"]["schema"], response.json())
    response = client.get("/api/v1/scorecards/ocd-division/country:us/state:ca", {"as_of": "x"})
    assert response.status_code == 400 and "error" in response.json()
    assert client.get("/api/v1/scorecards/ocd-division/nowhere").status_code == 404


@pytest.mark.django_db
def test_scorecard_carries_provisions_instruments_and_coverage(client):
    data = client.get("/api/v1/scorecards/ocd-division/country:us/state:ca").json()
    lines = {ln["policy"]: ln for ln in data["policies"]}
    decline = lines["decline_detainers"]
    assert decline["effective_status"] == "in_force" and decline["researched"]
    assert decline["record"]["instrument"]["id"] and decline["record"]["section"]
    assert "SB 54" in decline["record"]["instrument"]["citation"]
    coverage = data["coverage"]
    assert coverage["core_total"] == 11
    assert coverage["core_researched"] + len(coverage["core_not_researched"]) == 11
    assert coverage["incomplete"] == bool(coverage["core_not_researched"])
    not_researched = {ln["policy"] for ln in data["policies"] if not ln["researched"]}
    assert set(coverage["core_not_researched"]) <= not_researched
