"""Find a module of the same name in every Firstline app, in INSTALLED_APPS order.

Apps declare their import steps in ``bundled.py`` and their periodic jobs in
``periodic.py``; the commands that run them discover them here.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from django.apps import apps


def app_modules(name: str) -> list[ModuleType]:
    modules = []
    for config in apps.get_app_configs():
        if not config.name.startswith("firstline."):
            continue
        try:
            modules.append(importlib.import_module(f"{config.name}.{name}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.{name}":
                raise  # the module exists but something it imports does not
    return modules
