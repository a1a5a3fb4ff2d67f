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

from enum import StrEnum

from firstline.core.ratelimits import Limit, limits_screen

PER_CLIENT = Limit("resident-client", 6, 60 * 60)
PER_CLIENT_OFFICE = Limit("resident-client-office", 2, 24 * 60 * 60)
PER_OFFICE = Limit("resident-office", 120, 60 * 60)
NO_POW_PER_CLIENT = Limit("resident-nopow-client", 2, 24 * 60 * 60)


class Refusal(StrEnum):
    NONE = ""
    POW_FAILED = "pow_failed"
    TOO_MANY = "too_many"
    OFFICE_BUSY = "office_busy"


def message_screen(*, client: str, office_id: int, pow_payload: str) -> Refusal:
    """Count this send against every limit and say whether to refuse it."""
    refusal = limits_screen(
        checks=[
            (PER_CLIENT, client, Refusal.TOO_MANY),
            (PER_CLIENT_OFFICE, f"{client}:{office_id}", Refusal.TOO_MANY),
            (PER_OFFICE, str(office_id), Refusal.OFFICE_BUSY),
        ],
        client=client,
        pow_payload=pow_payload,
        no_pow=NO_POW_PER_CLIENT,
        pow_refused=Refusal.POW_FAILED,
        no_pow_refused=Refusal.TOO_MANY,
    )
    return refusal or Refusal.NONE
