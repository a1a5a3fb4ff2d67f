"""Bundled policy data, loaded by ``load_bundled`` after geo (see data/policies/README.md, data/ice-287g/README.md)."""

ICE = "data/ice-287g"

STEPS: list[tuple[str, list[str]]] = [
    ("import_policy_catalog", ["data/policies/catalog.yaml"]),
    ("import_evidence", ["data/policies/evidence"]),
    (
        "import_ice287g",
        [f"{ICE}/287g_participating_agencies_2025-07-18pm.csv", "--list", "participating"],
    ),
    ("import_ice287g", [f"{ICE}/287g_pending_agencies_2025-07-18pm.csv", "--list", "pending"]),
    (
        "import_ice287g",
        [f"{ICE}/287g_history_first_seen_2025-05-16_to_2025-07-18.csv", "--list", "history"],
    ),
]
