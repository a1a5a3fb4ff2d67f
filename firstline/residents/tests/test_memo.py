"""The lookup's cache: changes announced by the owning apps show at the next
lookup, warm lookups make a few small queries, and nothing in the cache is
keyed by or derived from the ZIP a resident typed."""

import gzip
import json
import re

import pytest
from django.db import connection

from firstline.api import serializers
from firstline.geo import zcta_index
from firstline.geo.models import Jurisdiction
from firstline.geo.signals import geography_changed
from firstline.policies.models import PolicyRecord
from firstline.policies.scorecard import scorecards_recompute
from firstline.policies.services import policy_record_change
from firstline.residents import selectors

pytestmark = pytest.mark.django_db

TEXAS = "ocd-division/country:us/state:tx"


def _texas_harms(client):
    data = client.get("/api/v1/lookup", {"zip": "77002"}).json()
    state = data["jurisdictions"][0]
    assert state["ocd_id"] == TEXAS
    return [h["policy"] for h in state["harms"]], state["score"]


def test_policy_change_shows_once_the_scorecards_are_recomputed(client):
    harms, score = _texas_harms(client)
    assert "state_sanctuary_ban" in harms
    page_harms = client.post("/en/find/", {"zip": "77002"}).content.decode().count("Harm</span>")
    record = PolicyRecord.objects.get(
        jurisdiction__ocd_id=TEXAS, policy__slug="state_sanctuary_ban"
    )
    policy_record_change(record=record, changes={"status": "rescinded"}, why="test: repealed")
    # Cached until the recompute task (enqueued on commit) announces it.
    assert _texas_harms(client) == (harms, score)
    scorecards_recompute(jurisdiction_ids=[record.jurisdiction_id])
    harms_after, score_after = _texas_harms(client)
    assert "state_sanctuary_ban" not in harms_after
    assert score_after > score
    # The HTML page reads the same cache.
    html = client.post("/en/find/", {"zip": "77002"}).content.decode()
    assert 0 < html.count("Harm</span>") < page_harms


def test_an_ended_term_shows_after_its_commit(client, django_capture_on_commit_callbacks):
    from firstline.officials.models import Term

    before = client.get("/api/v1/lookup", {"zip": "77002"}).json()
    governor = next(o for o in before["jurisdictions"][0]["offices"] if o["role"] == "governor")
    assert governor["holders"]
    with django_capture_on_commit_callbacks(execute=True):
        for term in Term.objects.filter(office_id=governor["id"], end_date__isnull=True):
            term.end_date = "2026-01-01"
            term.save()
    after = client.get("/api/v1/lookup", {"zip": "77002"}).json()
    office = next(o for o in after["jurisdictions"][0]["offices"] if o["id"] == governor["id"])
    assert office["holders"] == []


def test_a_geography_change_reloads_the_zcta_index(client):
    client.get("/api/v1/lookup", {"zip": "77002"})
    loaded = zcta_index.zcta_index()
    assert zcta_index.zcta_index() is loaded
    geography_changed.send(sender=geography_changed)
    assert zcta_index.zcta_index() is not loaded


def test_warm_lookup_makes_no_query(client, django_assert_num_queries, monkeypatch):
    client.get("/api/v1/lookup", {"zip": "77002"})
    client.post("/en/find/", {"zip": "77002"})
    with django_assert_num_queries(0):
        assert client.get("/api/v1/lookup", {"zip": "77002"}).status_code == 200
    with django_assert_num_queries(0):
        assert client.post("/en/find/", {"zip": "77002"}).status_code == 200
    # Once per GENERATION_CHECK_SECONDS: one read of the generation and the
    # ZCTA index's version.
    real = selectors.time.monotonic
    monkeypatch.setattr(
        selectors.time, "monotonic", lambda: real() + selectors.GENERATION_CHECK_SECONDS
    )
    with django_assert_num_queries(1):
        assert client.get("/api/v1/lookup", {"zip": "77002"}).status_code == 200


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


def test_nothing_in_the_cache_depends_on_the_zip(client):
    client.get("/api/v1/lookup", {"zip": "77002"})
    client.post("/en/find/", {"zip": "77002"})
    index = zcta_index.zcta_index()
    # The index holds every ZCTA, loaded whole: which ZIPs were asked leaves no mark.
    assert len(index.codes) > 30_000
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM firstline_cache")
        keys = [row[0] for row in cursor.fetchall()]
    assert any("residents:block:" in key for key in keys)
    assert not any("77002" in key for key in keys)
    houston = Jurisdiction.objects.get(ocd_id="ocd-division/country:us/state:tx/place:houston")
    assert any(f"residents:block:{houston.pk}:" in key for key in keys)
    # Nor in this process's copies, or the serialized fragments made from them.
    local = repr([list(selectors._local), list(serializers._fragments)])
    assert "77002" not in local
    assert {kind for kind, _pk, _variant in serializers._fragments} <= {"j", "d"}


def test_a_generation_started_by_another_process_is_seen_within_the_bound(client, monkeypatch):
    from django.core.cache import cache

    client.get("/api/v1/lookup", {"zip": "77002"})
    block = selectors.jurisdiction_block(ocd_id=TEXAS)
    assert selectors.jurisdiction_block(ocd_id=TEXAS) is block
    # What a receiver in an importer or worker process writes.
    cache.set(selectors.GENERATION_KEY, "another-process", None)
    real = selectors.time.monotonic
    monkeypatch.setattr(
        selectors.time, "monotonic", lambda: real() + selectors.GENERATION_CHECK_SECONDS
    )
    assert selectors.jurisdiction_block(ocd_id=TEXAS) is not block


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
