"""Limits on residents' messages to officials.

A resident writes to an official now and then; a script should not be able to
send three hundred messages a second from one address. Each send is screened:

* a proof of work solved in the browser (the same challenge as the sign-on
  form; without JavaScript a much smaller budget applies);
* per visitor: a few messages an hour, and two a day to the same office;
* per office, from everyone: a ceiling an hour, so no official's inbox can be
  flooded through us.

Visitors are counted by ``lib.clients.client_fingerprint``, a keyed hash
that changes daily (no address is stored). The counting is
``core.ratelimits`` (one counting path for the site).
"""

from __future__ import annotations

from firstline.core.ratelimits import Limit, OfficeLimits, Refusal, office_screen

PER_CLIENT = Limit("resident-client", 6, 60 * 60)
PER_CLIENT_OFFICE = Limit("resident-client-office", 2, 24 * 60 * 60)
PER_OFFICE = Limit("resident-office", 120, 60 * 60)
NO_POW_PER_CLIENT = Limit("resident-nopow-client", 2, 24 * 60 * 60)


def message_screen(*, client: str, office_id: int, pow_payload: str) -> Refusal:
    """Count this send against every limit and say whether to refuse it."""
    # Read at call time, so a deployment (or a test) can change one limit.
    limits = OfficeLimits(PER_CLIENT, PER_CLIENT_OFFICE, PER_OFFICE, NO_POW_PER_CLIENT)
    return office_screen(limits=limits, client=client, office_id=office_id, pow_payload=pow_payload)
