"""Steps ``load_bundled`` runs for delivery (after policies, whose 287(g) records it reads)."""

STEPS: list[tuple[str, list[str]]] = [
    ("create_sheriff_offices", []),
]
