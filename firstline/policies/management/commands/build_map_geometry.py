from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from firstline.policies import map as national_map
from firstline.policies.map_geometry import DEFAULT_MIN_AREA, build_simplified


class Command(BaseCommand):
    help = "Simplify and quantize the us-atlas county topology once, for the national map."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--min-area", type=float, default=DEFAULT_MIN_AREA)
        parser.add_argument("--check", action="store_true", help="Fail if the file is stale.")

    def handle(self, *args: Any, **options: Any) -> None:
        doc = build_simplified(national_map.read_topology(), min_area=options["min_area"])
        text = json.dumps(doc, separators=(",", ":"), sort_keys=True) + "\n"
        target = national_map.SIMPLIFIED_PATH
        if options["check"]:
            current = target.read_text(encoding="utf-8") if target.exists() else ""
            if current != text:
                raise SystemExit(f"{target} is stale: run manage.py build_map_geometry")
            self.stdout.write("up to date")
            return
        target.write_text(text, encoding="utf-8")
        paths = sum(len(path) for _name, path in doc["counties"].values())
        self.stdout.write(
            f"wrote {target}: {len(doc['counties'])} counties, {paths} bytes of paths"
        )
