import json

import pytest

pytestmark = pytest.mark.django_db


def test_lookup_json(client, django_assert_max_num_queries):
    # Cold: each jurisdiction and district is loaded once, in a bounded number of queries
    # (4 per office list, the scorecards of all three levels at once, and the
    # database cache's 3-4 statements per stored entry), whatever the number of offices.
    with django_assert_max_num_queries(110):
        client.get("/api/v1/lookup", {"zip": "77002"})
    # Warm: at most the cache's generation (once per GENERATION_CHECK_SECONDS).
    with django_assert_max_num_queries(1):
        response = client.get("/api/v1/lookup", {"zip": "77002"})
    assert response.status_code == 200
    data = response.json()
    assert [j["name"] for j in data["jurisdictions"]] == ["Texas", "Harris County", "Houston city"]
    assert data["certain"]["districts"] is False
    assert {d["chamber"] for d in data["districts"]} == {"upper", "lower"}
    assert all(d["offices"] for d in data["districts"])
    county = data["jurisdictions"][1]
    assert "agreements_287g" in county and isinstance(county["gaps"], list)
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"zip": "7700"}, 400),
        ({"zip": "77001"}, 404),
        ({}, 400),
        ({"q": "Nowhereville Qq, ZZ"}, 404),
    ],
)
def test_lookup_errors_have_one_shape(client, params, status):
    response = client.get("/api/v1/lookup", params)
    assert response.status_code == status
    assert set(response.json()) == {"error"}


def test_other_errors_have_the_same_shape(client):
    for response in (
        client.post("/api/v1/lookup", {"zip": "77002"}),
        client.get("/api/v1/nope"),
        client.get("/api/v1/jurisdictions/ocd-division/country:us/state:zz"),
    ):
        assert response.status_code in (404, 405)
        assert set(json.loads(response.content)) == {"error"}


def test_jurisdiction_endpoint(client):
    response = client.get("/api/v1/jurisdictions/ocd-division/country:us/state:tx/county:harris")
    assert response.status_code == 200
    data = response.json()
    assert data["name"] == "Harris County" and data["kind"] == "county"


def test_ping(client):
    assert client.get("/api/v1/ping").json() == {"ok": True}


def test_spanish_names(client):
    data = client.get("/api/v1/lookup", {"zip": "77002", "lang": "es"}).json()
    en = client.get("/api/v1/lookup", {"zip": "77002"}).json()
    gaps_es = [g["name"] for g in data["jurisdictions"][0]["gaps"]]
    gaps_en = [g["name"] for g in en["jurisdictions"][0]["gaps"]]
    assert gaps_es != gaps_en
