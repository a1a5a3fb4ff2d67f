"""Staff roles and what each may do: the one table.

Every staff page checks one *capability*, a Django permission of the core app
(``core.<codename>``) so that all of them live in one place whatever app the
page belongs to. Roles are Django groups holding capabilities; the groups are
(re)built from this table after every ``migrate``, so the table is the truth.
``admin`` holds every permission there is, model permissions included.

To add a staff page: pick (or add here) the capability it needs and decorate
the view with ``staff_permission_required``; the authorization test walks every
URL and fails on a view that has neither a capability nor a public marking.
"""

from __future__ import annotations

# codename -> what it allows (shown in the admin's permission lists; plain
# text because Django stores permission names in the database).
CAPABILITIES: dict[str, str] = {
    "edit_evidence": ("Propose and edit evidence (instruments, provisions, events, research)"),
    "verify_evidence": ("Verify evidence"),
    "view_evidence_health": ("See the evidence health report"),
    "edit_rosters": ("Propose officials and contacts, invite partners, upload rosters"),
    "review_rosters": ("Accept or reject roster changes"),
    "manage_campaigns": ("Create and run campaigns"),
    "manage_delivery": ("Targets, letters, sending, print packets and responses"),
    "moderate_signatures": ("Approve and reject signatures"),
    "view_signer_contacts": ("See signers' contact details and export signers"),
    "switch_on_delivery": ("Switch on delivery to real officials"),
    "manage_keys": ("Manage encryption keys and staff accounts"),
}

ADMIN = "admin"
ROLES: dict[str, tuple[str, ...]] = {
    "researcher": ("edit_evidence", "view_evidence_health", "edit_rosters"),
    "verifier": (
        "edit_evidence",
        "verify_evidence",
        "view_evidence_health",
        "edit_rosters",
        "review_rosters",
    ),
    # Organizers run a campaign end to end, moderating its sign-ons included
    # (issue 18); signers' contact details stay with moderators and admins.
    "organizer": (
        "manage_campaigns",
        "manage_delivery",
        "moderate_signatures",
        "view_evidence_health",
        "edit_rosters",
    ),
    "moderator": ("moderate_signatures", "view_signer_contacts"),
    ADMIN: tuple(CAPABILITIES),
}


def permission_name(codename: str) -> str:
    return f"core.{codename}"
