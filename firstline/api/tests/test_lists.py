"""List and detail endpoints over the national dataset: filters, paging, citations, bounds."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from firstline.api.tests.test_openapi import validate
from firstline.campaigns.models import CampaignStatus, Signature, SignatureStatus
from firstline.campaigns.services import signature_submit
from firstline.campaigns.tests import factories
from firstline.officials.models import ContactPoint, Person, Role
from firstline.policies.models import Instrument, Policy, PolicyRecord

pytestmark = pytest.mark.django_db

API = "/api/v1"
LISTS = {
    "/jurisdictions": {"state": "tx"},
    "/jurisdictions#grade": {"state": "tx", "kind": "county", "grade": "F"},
    "/jurisdictions#policy": {"kind": "county", "policy": "agreement_287g", "status": "in_force"},
    "/policies": {},
    "/instruments": {},
    "/provisions": {"state": "tx"},
    "/offices": {"state": "ca"},
    "/officials": {"state": "ca"},
    "/campaigns": {},
}


def get(client, path, params=None, status=200):
    response = client.get(API + path, params or {})
    assert response.status_code == status, (path, params, response.content[:300])
    return response.json()


def walk(client, path, params, *, limit=100, max_pages=400):
    """Every item of a list, following ``next`` links; checks pages never overlap."""
    items, seen = [], set()
    url = f"{API}{path}"
    query = {**params, "limit": limit}
    for _ in range(max_pages):
        data = client.get(url, query).json()
        for item in data["results"]:
            key = item.get("id", item.get("ocd_id", item.get("slug")))
            assert key not in seen
            seen.add(key)
        items += data["results"]
        if data["next"] is None:
            return items
        url, query = data["next"], {}
    raise AssertionError("too many pages")


@pytest.fixture
def doc(client):
    return client.get(f"{API}/openapi.json").json()


def conforms(doc, path, body, template=None):
    schema = doc["paths"][template or path]["get"]["responses"]["200"]["content"]
    validate(doc, schema["application/json"]["schema"], body, path)


def test_jurisdictions_filter_by_state_kind_and_page(client, doc):
    first = get(client, "/jurisdictions", {"state": "tx", "kind": "county", "limit": 7})
    conforms(doc, "/jurisdictions", first)
    assert len(first["results"]) == 7 and "cursor=" in first["next"]
    assert "state=tx" in first["next"] and "kind=county" in first["next"]
    counties = walk(client, "/jurisdictions", {"state": "tx", "kind": "county"})
    assert len(counties) == 254  # Texas has 254 counties
    assert {j["kind"] for j in counties} == {"county"}
    assert {j["state"] for j in counties} == {"ocd-division/country:us/state:tx"}
    assert counties[:7] == first["results"]
    assert all(j["grade"] in "ABCDF" and 0 <= j["score"] <= 100 for j in counties)


def test_jurisdictions_filter_by_grade(client):
    every = walk(client, "/jurisdictions", {"state": "ca", "kind": "county"})
    for grade in "ABCDF":
        some = walk(client, "/jurisdictions", {"state": "ca", "kind": "county", "grade": grade})
        assert [j["ocd_id"] for j in some] == [j["ocd_id"] for j in every if j["grade"] == grade]


def test_jurisdictions_by_policy_status_carry_the_citation(client, doc):
    states = walk(client, "/jurisdictions", {"kind": "state", "policy": "no_287g"})
    in_force = [s for s in states if s["policy_status"]["effective_status"] == "in_force"]
    filtered = walk(
        client, "/jurisdictions", {"kind": "state", "policy": "no_287g", "status": "in_force"}
    )
    assert [s["ocd_id"] for s in filtered] == [s["ocd_id"] for s in in_force]
    assert "ocd-division/country:us/state:ca" in {s["ocd_id"] for s in filtered}
    for state in filtered:
        provision = state["policy_status"]["provision"]
        assert provision["citation"] and provision["url"].startswith("http")
        record = PolicyRecord.objects.select_related("policy").get(pk=provision["id"])
        assert record.policy.slug == "no_287g" and record.status == "in_force"
    ca = next(s for s in filtered if s["usps"] == "CA")
    assert ca["policy_status"]["provision"]["instrument"] == "ca-sb54-2017"
    conforms(doc, "/jurisdictions", {"results": filtered, "next": None})
    # Counties under a 287(g) agreement: each with the agreement's citation and source.
    page = get(
        client,
        "/jurisdictions",
        {"kind": "county", "policy": "agreement_287g", "status": "in_force", "limit": 20},
    )
    assert len(page["results"]) == 20
    for county in page["results"]:
        status = county["policy_status"]
        assert status["effective_status"] == "in_force"
        assert status["provision"]["citation"] and status["provision"]["url"]


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/jurisdictions", {"status": "in_force"}),
        ("/jurisdictions", {"policy": "no_such_policy"}),
        ("/jurisdictions", {"grade": "Z"}),
        ("/jurisdictions", {"kind": "galaxy"}),
        ("/jurisdictions", {"limit": "101"}),
        ("/jurisdictions", {"limit": "0"}),
        ("/jurisdictions", {"cursor": "abc"}),
        ("/jurisdictions", {"state": "texas"}),
        ("/instruments", {"jurisdiction": "Harris"}),
        ("/provisions", {"status": "maybe"}),
        ("/offices", {"role": "king"}),
        ("/officials", {"limit": "x"}),
        ("/campaigns", {"status": "draft"}),
        ("/policies", {"core": "yes"}),
    ],
)
def test_bad_parameters_are_400_in_the_error_shape(client, path, params):
    assert set(get(client, path, params, status=400)) == {"error"}


@pytest.mark.parametrize(
    "path",
    [
        "/policies/no_such",
        "/instruments/no-such",
        "/provisions/999999999",
        "/provisions/99999999999999999999999",
        "/offices/999999999",
        "/officials/ocd-person/00000000-0000-0000-0000-000000000000",
        "/campaigns/no-such",
    ],
)
def test_unknown_ids_are_404_in_the_error_shape(client, path):
    assert set(get(client, path, status=404)) == {"error"}


def test_policies_are_the_whole_catalog(client, doc):
    policies = walk(client, "/policies", {}, limit=10)
    assert [p["slug"] for p in policies] == list(
        Policy.objects.order_by("pk").values_list("slug", flat=True)
    )
    harmful = walk(client, "/policies", {"kind": "harmful"})
    assert harmful and {p["kind"] for p in harmful} == {"harmful"}
    detail = get(client, "/policies/no_287g", {"lang": "es"})
    conforms(doc, "/policies/{slug}", detail)
    assert detail["name"] == Policy.objects.get(slug="no_287g").name_es


def test_instruments_and_provisions_with_citations(client, doc):
    ca = walk(client, "/instruments", {"state": "ca", "policy": "trust_values_act"})
    assert "ca-sb54-2017" in {i["id"] for i in ca}
    assert all(i["jurisdiction"].startswith("ocd-division/country:us/state:ca") for i in ca)
    sb54 = get(client, "/instruments/ca-sb54-2017")
    conforms(doc, "/instruments/{slug}", sb54)
    assert "SB 54" in sb54["citation"] and sb54["url"].startswith("https://")
    assert {p["policy"] for p in sb54["provisions"]} >= {"trust_values_act", "no_287g"}
    assert len(walk(client, "/instruments", {})) == Instrument.objects.count()

    in_force = walk(client, "/provisions", {"state": "ca", "status": "in_force"})
    assert len(in_force) == PolicyRecord.objects.filter(usps="CA", status="in_force").count()
    for provision in in_force:
        assert provision["status"] == "in_force"
        assert provision["citation"] and provision["url"].startswith("http"), provision
    victoria = walk(
        client,
        "/provisions",
        {
            "jurisdiction": "ocd-division/country:us/state:tx/county:victoria",
            "policy": "agreement_287g",
        },
    )
    assert len(victoria) == 3 and all(p["agency"] for p in victoria)
    # Alabama's HB 56 immigration crimes, struck down: the detail carries the ruling.
    struck = PolicyRecord.objects.get(
        instrument__slug="al-hb56-2011", policy__slug="state_immigration_crimes"
    )
    detail = get(client, f"/provisions/{struck.pk}")
    conforms(doc, "/provisions/{pk}", detail)
    assert detail["status"] == "struck_down" and detail["instrument"] == "al-hb56-2011"
    assert "struck_down" in {e["kind"] for e in detail["events"]}
    assert all(
        not e["provisions"] or "state_immigration_crimes" in e["provisions"]
        for e in detail["events"]
    )


def test_offices_and_officials_with_stable_ids_and_public_contacts(client, doc):
    sheriffs = walk(client, "/offices", {"state": "tx", "role": "sheriff"})
    assert len(sheriffs) == 254 and {o["role"] for o in sheriffs} == {"sheriff"}
    harris = walk(
        client, "/offices", {"jurisdiction": "ocd-division/country:us/state:tx/county:harris"}
    )
    assert Role.SHERIFF in {o["role"] for o in harris}
    conforms(doc, "/offices/{pk}", get(client, f"/offices/{harris[0]['id']}"))

    senators = walk(client, "/officials", {"state": "tx", "role": "state_senator"})
    assert len(senators) >= 25
    for person in senators:
        assert person["ocd_person_id"].startswith("ocd-person/")
        assert {o["role"] for o in person["offices"]} & {"state_senator"}
    one = get(client, "/officials/" + senators[0]["id"])
    conforms(doc, "/officials/{person_id}", one)
    assert one["name"] == senators[0]["name"]


def test_home_contacts_are_never_listed(client):
    home = ContactPoint.objects.filter(classification="home", person__isnull=False).first()
    assert home is not None, "the dataset has home contacts: the test needs one"
    person = Person.objects.get(pk=home.person_id)
    data = get(client, "/officials/" + person.ocd_person_id)
    assert data["contacts"] and home.value not in {c["value"] for c in data["contacts"]}
    assert "home" not in {c["classification"] for c in data["contacts"]}


def test_campaigns_show_public_data_only(client, doc):
    live = factories.campaign()
    factories.campaign(slug="secret-draft", title="Secret", status=CampaignStatus.DRAFT)
    for i, status in enumerate([SignatureStatus.APPROVED, SignatureStatus.PENDING]):
        signature_submit(
            campaign=live,
            org_name=f"Org {status}",
            home_jurisdiction=factories.harris(),
            contact_name="Private Person",
            contact_email=f"private{i}@example.org",
        )
        Signature.objects.filter(organization__name=f"Org {status}").update(status=status)
    listed = get(client, "/campaigns")
    conforms(doc, "/campaigns", listed)
    assert [c["id"] for c in listed["results"]] == ["end-287g"]
    assert listed["results"][0]["signatory_count"] == 1
    detail = client.get(f"{API}/campaigns/end-287g", {"lang": "es"})
    conforms(doc, "/campaigns/{slug}", detail.json())
    assert detail.json()["signatories"] == ["Org approved"]
    assert detail.json()["title"] == "Fin al 287(g) en Texas"
    assert b"example.org" not in detail.content and b"Private Person" not in detail.content
    assert get(client, "/campaigns/secret-draft", status=404)


@pytest.mark.parametrize("path", list(LISTS))
def test_list_queries_do_not_grow_with_page_size(client, path):
    """A page of 100 costs the same queries as a page of 5 (prefetching, no N+1)."""
    params = LISTS[path]
    path = path.split("#")[0]
    if path == "/campaigns":
        for i in range(12):
            factories.campaign(slug=f"c{i}", title=f"C{i}")
    client.get(API + path, {**params, "limit": 100})  # warm the scorecard cache
    counts = {}
    for limit in (5, 100):
        with CaptureQueriesContext(connection) as queries:
            data = get(client, path, {**params, "limit": limit})
        counts[limit] = len(queries)
        assert len(data["results"]) == min(limit, len(data["results"]))
    assert len(data["results"]) > 5, "a page of 100 must hold more than 5 rows"
    print(path, params, "queries per page:", counts)
    assert counts[5] == counts[100] <= 10, counts
