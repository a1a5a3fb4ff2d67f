"""Steps ``load_bundled`` runs for geography, in order (places need counties, ZCTAs need both)."""

STEPS: list[tuple[str, list[str]]] = [
    ("import_census", []),
    ("import_zctas", []),
]
