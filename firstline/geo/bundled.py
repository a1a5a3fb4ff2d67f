STEPS: list[tuple[str, list[str]]] = []
