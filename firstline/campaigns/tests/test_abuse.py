"""The rate-limit / spent-challenge counters: one statement, atomic under concurrency."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections

from firstline import testing
from firstline.campaigns import abuse
from firstline.core import ratelimits
from firstline.core.models import AbuseCounter
from firstline.lib.pow import pow_challenge_create, pow_payload, pow_solve


def solved() -> str:
    challenge = pow_challenge_create(max_number=500)
    number = pow_solve(challenge)
    assert number is not None
    return pow_payload(challenge, number)


@pytest.mark.django_db
def test_counters_count_several_keys_in_one_statement(django_assert_num_queries):
    with django_assert_num_queries(1):
        hits = ratelimits.counters_hit(windows={"a": 60, "b": 60, "c": 60}, now=1000)
    assert hits == {"a": 1, "b": 1, "c": 1}
    assert ratelimits.counters_hit(windows={"a": 60, "b": 60}, now=1010) == {"a": 2, "b": 2}
    assert AbuseCounter.objects.get(key="a").expires == 1060  # not extended by later hits


@pytest.mark.django_db
def test_a_window_restarts_after_it_ends():
    assert ratelimits.counters_hit(windows={"k": 60}, now=1000) == {"k": 1}
    assert ratelimits.counters_hit(windows={"k": 60}, now=1059) == {"k": 2}
    assert ratelimits.counters_hit(windows={"k": 60}, now=1060) == {"k": 1}
    assert AbuseCounter.objects.get(key="k").expires == 1120
    # A negative window is an absolute end time (spent challenges).
    assert ratelimits.counters_hit(windows={"pow:x": -5000}, now=1000) == {"pow:x": 1}
    assert AbuseCounter.objects.get(key="pow:x").expires == 5000


@pytest.mark.django_db
def test_purge_deletes_ended_windows_only():
    ratelimits.counters_hit(windows={"old": 10, "new": 1000}, now=1000)
    assert ratelimits.counters_purge(now=1500) == 1
    assert list(AbuseCounter.objects.values_list("key", flat=True)) == ["new"]


@pytest.mark.django_db
def test_screen_counts_everything_once_and_refuses_a_replayed_solution(
    django_assert_num_queries,
):
    payload = solved()
    with django_assert_num_queries(1):
        verdict = abuse.signon_screen(client="c1", email_hash="e1", pow_payload=payload)
    assert verdict == abuse.Verdict.OK
    assert abuse.signon_screen(client="c2", email_hash="e2", pow_payload=payload) == (
        abuse.Verdict.POW_FAILED
    )
    assert abuse.signon_screen(client="c3", email_hash="e3", pow_payload="bogus") == (
        abuse.Verdict.POW_FAILED
    )


@pytest.mark.django_db
def test_screen_limits_and_the_shared_no_js_budget():
    for _ in range(abuse.PER_EMAIL.max_hits):
        assert abuse.signon_screen(client="c", email_hash="e", pow_payload=solved()) == "ok"
    assert abuse.signon_screen(client="c", email_hash="e", pow_payload=solved()) == (
        abuse.Verdict.EMAIL_LIMIT
    )
    # A client over its own no-JavaScript budget does not spend the site's.
    for i in range(10):
        abuse.signon_screen(client="greedy", email_hash=f"g{i}", pow_payload="")
    global_key = f"{abuse.NO_POW_GLOBAL.name}:all"
    assert AbuseCounter.objects.get(key=global_key).hits == abuse.NO_POW_PER_CLIENT.max_hits


def test_client_address_behind_a_proxy(rf, settings):
    request = rf.post("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7")
    settings.TRUSTED_PROXY_HOPS = 0
    assert abuse.client_address(request) == "10.0.0.1"
    settings.TRUSTED_PROXY_HOPS = 1  # our proxy appended the visitor's address last
    assert abuse.client_address(request) == "203.0.113.7"
    settings.TRUSTED_PROXY_HOPS = 2
    assert abuse.client_address(request) == "1.2.3.4"
    settings.TRUSTED_PROXY_HOPS = 3  # fewer entries than proxies: not forwarded by us
    assert abuse.client_address(request) == "10.0.0.1"
    settings.TRUSTED_PROXY_HOPS = 1
    assert abuse.client_fingerprint(request) != abuse.client_fingerprint(
        rf.post("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.8")
    )


def test_ipv6_visitors_count_by_their_64(rf, settings):
    """Anyone with an IPv6 connection controls a whole /64: rotating the last 64
    bits must not buy a fresh rate-limit budget."""
    settings.TRUSTED_PROXY_HOPS = 0

    def fingerprint(address: str) -> str:
        return abuse.client_fingerprint(rf.post("/", REMOTE_ADDR=address))

    assert fingerprint("2001:db8:1:2::1") == fingerprint("2001:db8:1:2:ffff:abcd:1234:9")
    assert fingerprint("2001:db8:1:2::1") != fingerprint("2001:db8:1:3::1")
    assert fingerprint("::ffff:203.0.113.5") == fingerprint("203.0.113.5")
    assert fingerprint("203.0.113.5") != fingerprint("203.0.113.6")


def test_concurrent_hits_are_never_lost(django_db_setup, django_db_blocker):
    """Threads on their own connections to a committed copy of the database
    (SQLite file in WAL mode, or PostgreSQL) hammer one key: every hit gets a
    distinct count and none is lost. No ``db`` fixture: the copy needs the
    test database committed and idle."""
    threads, per_thread = 8, 25
    with django_db_blocker.unblock():
        db = testing.clone_test_database("counters")
        alias = "counters_clone"
        connections.databases[alias] = {**connection.settings_dict, "NAME": db["NAME"]}
        seen: list[int] = []
        errors: list[BaseException] = []
        start = threading.Barrier(threads)

        def worker(n: int) -> None:
            try:
                start.wait()
                for i in range(per_thread):
                    hits = ratelimits.counters_hit(
                        windows={"shared": 3600, f"own:{n}:{i}": 3600}, using=alias
                    )
                    seen.append(hits["shared"])
            except BaseException as exc:  # reported below
                errors.append(exc)
            finally:
                connections[alias].close()

        try:
            pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
            started = time.monotonic()
            for t in pool:
                t.start()
            for t in pool:
                t.join(timeout=120)
            assert not errors, errors
            total = threads * per_thread
            assert sorted(seen) == list(range(1, total + 1)), "a hit was lost or double-counted"
            stored = AbuseCounter.objects.using(alias).get(key="shared").hits
            assert stored == total
            assert AbuseCounter.objects.using(alias).count() == total + 1
            assert time.monotonic() - started < 120
        finally:
            connections[alias].close()
            del connections.databases[alias]
            testing.drop_cloned_database(db)
