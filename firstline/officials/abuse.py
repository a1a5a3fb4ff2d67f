"""Limits on the roster drive's public forms (a resident's suggestion, a
partner's invitation link).

The same protections as residents' messages (``core.ratelimits``): a proof of
work solved in the browser, spent once, with a much smaller budget without
JavaScript; a few submissions per visitor; and a ceiling per office (or per
invitation) from everyone, so nobody can bury the review queue. Visitors are
counted by a daily keyed hash (``lib.clients.client_fingerprint``), never a
stored address. Only valid submissions are counted; a refused one is shown
again with everything the visitor typed, to send later.
"""

from __future__ import annotations

from firstline.core.ratelimits import Limit, OfficeLimits, Refusal, limits_screen, office_screen

SUGGEST_PER_CLIENT = Limit("roster-suggest-client", 5, 60 * 60)
SUGGEST_PER_CLIENT_OFFICE = Limit("roster-suggest-client-office", 3, 24 * 60 * 60)
SUGGEST_PER_OFFICE = Limit("roster-suggest-office", 30, 24 * 60 * 60)
# An invitation is used once, so a few tries cover a partner's mistakes.
INVITE_PER_CLIENT = Limit("roster-invite-client", 10, 60 * 60)
INVITE_PER_LINK = Limit("roster-invite-link", 10, 24 * 60 * 60)
NO_POW_PER_CLIENT = Limit("roster-nopow-client", 2, 24 * 60 * 60)


def suggestion_screen(*, client: str, office_id: int, pow_payload: str) -> Refusal:
    """Count one valid suggestion and say whether to refuse it."""
    limits = OfficeLimits(
        SUGGEST_PER_CLIENT, SUGGEST_PER_CLIENT_OFFICE, SUGGEST_PER_OFFICE, NO_POW_PER_CLIENT
    )
    return office_screen(limits=limits, client=client, office_id=office_id, pow_payload=pow_payload)


def invite_screen(*, client: str, invite_id: int, pow_payload: str) -> Refusal:
    """Count one valid submission of an invitation link's form."""
    checks = [
        (INVITE_PER_CLIENT, client, Refusal.TOO_MANY),
        (INVITE_PER_LINK, str(invite_id), Refusal.TOO_MANY),
    ]
    return limits_screen(
        checks=checks, client=client, pow_payload=pow_payload, no_pow=NO_POW_PER_CLIENT
    )
