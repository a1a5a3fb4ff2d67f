"""Proof of work through the altcha library: solving, forging, expiry, replay."""

from __future__ import annotations

import base64
import json
import time

import pytest

from firstline.lib.pow import pow_challenge_create, pow_check, pow_payload, pow_solve, pow_verify


def _solved(**kwargs):
    challenge = pow_challenge_create(max_number=2_000, **kwargs)
    number = pow_solve(challenge)
    assert number is not None
    return challenge, number


def _edit(payload: str, **changes) -> str:
    data = json.loads(base64.b64decode(payload))
    data.update(changes)
    return base64.b64encode(json.dumps(data).encode()).decode()


def test_a_solved_challenge_passes_and_names_its_expiry():
    challenge, number = _solved(ttl_seconds=60)
    checked = pow_check(pow_payload(challenge, number))
    assert checked.reason == "ok"
    assert checked.challenge == challenge.challenge
    assert time.time() < checked.expires <= time.time() + 61


def test_salt_ends_with_the_delimiter_the_library_adds():
    challenge = pow_challenge_create(max_number=10)
    assert "?expires=" in challenge.salt and challenge.salt.endswith("&")


def test_wrong_number_and_forged_signature_are_told_apart():
    challenge, number = _solved()
    payload = pow_payload(challenge, number)
    assert pow_check(_edit(payload, number=number + 1)).reason == "wrong"
    assert pow_check(_edit(payload, signature="0" * 64)).reason == "forged"


def test_expired_challenge_is_refused():
    challenge, number = _solved(ttl_seconds=60)
    payload = pow_payload(challenge, number)
    assert pow_check(payload, now=int(time.time()) + 3_600).reason == "expired"


def test_moving_answer_digits_into_the_salt_cannot_extend_the_expiry():
    # The old hand-written salt "...?expires=N" had no terminator: with answer
    # 1234 one could post salt "...?expires=N1" and number 234, which hashes to
    # the same challenge, and an expiry ten times further away. Every split of
    # the answer's digits must now be refused.
    challenge, number = _solved(ttl_seconds=60, number=1_234)
    assert number == 1_234
    payload = pow_payload(challenge, number)
    digits = str(number)
    for cut in range(1, len(digits)):
        tampered = _edit(
            payload, salt=challenge.salt.rstrip("&") + digits[:cut], number=int(digits[cut:])
        )
        assert pow_check(tampered, now=int(time.time()) + 10 * 365 * 86_400).reason != "ok"
        assert pow_check(tampered).reason != "ok"


def test_salt_without_expiry_or_with_two_is_refused():
    challenge, number = _solved()
    payload = pow_payload(challenge, number)
    nonce = challenge.salt.split("?")[0]
    assert pow_check(_edit(payload, salt=nonce + "&")).reason == "forged"
    doubled = challenge.salt + "expires=99999999999&"
    assert pow_check(_edit(payload, salt=doubled)).reason == "forged"


@pytest.mark.parametrize(
    "payload",
    ["", "not base64!", base64.b64encode(b"[1, 2]").decode(), base64.b64encode(b"{}").decode()],
)
def test_malformed_payloads(payload):
    assert pow_check(payload).reason == "malformed"


def test_other_algorithms_and_huge_salts_are_malformed():
    challenge, number = _solved()
    payload = pow_payload(challenge, number)
    assert pow_check(_edit(payload, algorithm="SHA-1")).reason == "malformed"
    assert pow_check(_edit(payload, salt="a" * 500)).reason == "malformed"


@pytest.mark.django_db
def test_a_solution_is_spent_once():
    challenge, number = _solved()
    payload = pow_payload(challenge, number)
    assert pow_verify(payload) == "ok"
    assert pow_verify(payload) == "replayed"
