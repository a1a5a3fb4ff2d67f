"""The per-worker memo: warm lookups make no query, changes show within the bound,
and nothing in it is keyed by or derived from the ZIP a resident typed."""

import gzip
import json
import re
import time

import pytest

from firstline.api import serializers
from firstline.policies.models import PolicyRecord
from firstline.policies.services import policy_record_change
from firstline.residents import selectors

pytestmark = pytest.mark.django_db

TEXAS = "ocd-division/country:us/state:tx"


@pytest.fixture(autouse=True)
def fresh_memo():
    # The memo outlives each test's rolled-back transaction: start and end empty.
    selectors.lookup_memo_clear()
    yield
    selectors.lookup_memo_clear()


def _later(monkeypatch, seconds):
    real = time.monotonic
    monkeypatch.setattr(selectors.time, "monotonic", lambda: real() + seconds)


def _texas_harms(client):
    data = client.get("/api/v1/lookup", {"zip": "77002"}).json()
    state = data["jurisdictions"][0]
    assert state["ocd_id"] == TEXAS
    return [h["policy"] for h in state["harms"]], state["score"]


def test_policy_change_shows_within_the_stamp_interval(client, monkeypatch):
    harms, score = _texas_harms(client)
    assert "state_sanctuary_ban" in harms
    page_harms = client.post("/en/find/", {"zip": "77002"}).content.decode().count("Harm</span>")
    record = PolicyRecord.objects.get(
        jurisdiction__ocd_id=TEXAS, policy__slug="state_sanctuary_ban"
    )
    policy_record_change(record=record, changes={"status": "rescinded"}, why="test: repealed")
    _later(monkeypatch, selectors.STAMP_SECONDS + 0.01)
    harms_after, score_after = _texas_harms(client)
    assert "state_sanctuary_ban" not in harms_after
    assert score_after > score
    # The HTML page reads the same memo.
    html = client.post("/en/find/", {"zip": "77002"}).content.decode()
    assert 0 < html.count("Harm</span>") < page_harms


def test_an_ended_term_is_seen_by_the_next_check(client, monkeypatch):
    from firstline.officials.models import Term

    before = client.get("/api/v1/lookup", {"zip": "77002"}).json()
    governor = next(o for o in before["jurisdictions"][0]["offices"] if o["role"] == "governor")
    assert governor["holders"]
    Term.objects.filter(office_id=governor["id"], end_date__isnull=True).update(
        end_date="2026-01-01"
    )
    _later(monkeypatch, selectors.STAMP_SECONDS + 0.01)
    after = client.get("/api/v1/lookup", {"zip": "77002"}).json()
    office = next(o for o in after["jurisdictions"][0]["offices"] if o["id"] == governor["id"])
    assert office["holders"] == []


def test_warm_lookup_makes_no_query(client, django_assert_num_queries):
    client.get("/api/v1/lookup", {"zip": "77002"})
    with django_assert_num_queries(0):
        assert client.get("/api/v1/lookup", {"zip": "77002"}).status_code == 200
    with django_assert_num_queries(0):
        assert client.post("/en/find/", {"zip": "77002"}).status_code == 200


def test_stamp_check_is_one_query_per_interval(client, monkeypatch, django_assert_num_queries):
    client.get("/api/v1/lookup", {"zip": "77002"})
    _later(monkeypatch, selectors.STAMP_SECONDS + 0.01)
    with django_assert_num_queries(1):
        client.get("/api/v1/lookup", {"zip": "77002"})


def test_gzip_body_is_the_plain_body(client):
    plain = client.get("/api/v1/lookup", {"zip": "77002"})
    packed = client.get("/api/v1/lookup", {"zip": "77002"}, HTTP_ACCEPT_ENCODING="gzip, br")
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"] and "Accept-Encoding" in plain["Vary"]
    assert len(packed.content) < len(plain.content) / 3
    assert gzip.decompress(packed.content) == plain.content


def test_assembled_body_equals_the_plain_serializer(client):
    for params in (
        {"zip": "77002"},
        {"zip": "20001", "lang": "es"},
        {"q": "Houston, TX"},
        {"zip": "77002", "district": "ocd-division/country:us/state:tx/sldl:147"},
    ):
        body = json.loads(client.get("/api/v1/lookup", params).content)
        with selectors.translation.override(params.get("lang", "en")):
            result = selectors.resident_lookup(
                zip_text=params.get("zip"),
                place_query=params.get("q"),
                districts=[params["district"]] if "district" in params else (),
            )
        assert body == json.loads(json.dumps(serializers.lookup_json(result)))


def test_nothing_in_the_memo_depends_on_the_zip(client):
    client.get("/api/v1/lookup", {"zip": "77002"})
    client.post("/en/find/", {"zip": "77002"})
    index = selectors.zcta_index()
    # The index holds every ZCTA, loaded whole: which ZIPs were asked leaves no mark.
    assert len(index.codes) > 30_000
    memo_text = repr(
        [
            list(selectors._rows),
            list(selectors._blocks),
            list(selectors._offices),
            list(serializers._fragments),
        ]
    )
    assert "77002" not in memo_text
    assert {kind for kind, _pk, _variant in serializers._fragments} <= {"j", "d"}


def test_page_fragments_follow_campaign_and_language(client):
    from firstline.campaigns.models import Campaign

    Campaign.objects.create(title="Test", slug="test-campaign", status="collecting")
    plain = client.post("/en/find/", {"zip": "77002"}).content.decode()
    with_campaign = client.post(
        "/en/find/", {"zip": "77002", "campaign": "test-campaign"}
    ).content.decode()
    spanish = client.post("/es/find/", {"zip": "77002"}).content.decode()
    again = client.post("/en/find/", {"zip": "77002"}).content.decode()
    assert "?campaign=test-campaign" not in plain
    assert "?campaign=test-campaign" in with_campaign
    assert "/es/find/write/" in spanish and "/es/find/write/" not in plain
    # Only the CSRF tokens (masked afresh per response) differ.
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert strip.sub("", again) == strip.sub("", plain)
