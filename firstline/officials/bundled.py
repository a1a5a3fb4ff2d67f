"""Steps ``load_bundled`` runs for officials, after geo's (states, counties, places, ZCTAs)."""

STEPS: list[tuple[str, list[str]]] = [
    ("import_districts", []),
    ("import_zcta_districts", []),
    ("import_openstates", []),
    ("apply_statewide_overlay", []),
    ("create_local_offices", []),
]
