"""Steps ``load_bundled`` runs for delivery: none (the offices it targets are officials' own)."""

STEPS: list[tuple[str, list[str]]] = []
