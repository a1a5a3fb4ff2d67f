"""The apps form a stack; a module imports only its own app or apps below it.

From the bottom: lib, core, mail, geo, officials, policies, campaigns, delivery,
residents, api, opendata (docs/architecture.md). The graph is read from the source, not
from what happens to be imported at run time: every ``import`` and ``from ...
import`` (function-local ones too) in production modules, and every
``{% load %}`` in an app's templates, mapped to the app that defines the tag
library (app templates, and the project's ``templates/<app>/``). Tests, migrations and the project's composition root (``urls.py``,
``settings.py``, ``wsgi.py``) are not checked.

When this fails after a merge, the message names the file, the line and both
apps. Fix it by moving the code to the app that owns what it uses, or by
letting the lower app expose a seam the upper app fills (a registry by
convention like ``core/discovery.py``, a template block, a signal).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

STACK = [
    "lib",
    "core",
    "mail",
    "geo",
    "officials",
    "policies",
    "campaigns",
    "delivery",
    "workspace",
    "residents",
    "api",
    "opendata",
]
RANK = {app: i for i, app in enumerate(STACK)}
ROOT = Path(__file__).resolve().parents[3]  # the repository
PACKAGE = ROOT / "firstline"
TEMPLATES = ROOT / "templates"
# Top-level modules that belong to an app; the rest is the composition root.
OWNED_TOP_LEVEL = {"checks.py": "core"}
UNCHECKED_TOP_LEVEL = {
    "urls.py",
    "settings.py",
    "wsgi.py",
    "conftest.py",
    "testing.py",
    "__init__.py",
}
LOAD = re.compile(r"{%\s*load\s+([^%]+?)\s*%}")


def _app_of(path: Path) -> str | None:
    if path.is_relative_to(TEMPLATES):  # the project's templates/<app>/...; base.html is core's
        parts = path.relative_to(TEMPLATES).parts
        return "core" if len(parts) == 1 else parts[0] if parts[0] in RANK else None
    parts = path.relative_to(PACKAGE).parts
    if len(parts) == 1:
        return OWNED_TOP_LEVEL.get(parts[0])
    return parts[0] if parts[0] in RANK else None


def _checked(path: Path) -> bool:
    parts = path.relative_to(PACKAGE).parts
    if "tests" in parts or "migrations" in parts:
        return False
    return not (len(parts) == 1 and parts[0] in UNCHECKED_TOP_LEVEL)


def _module_app(module: str, *, package: str, level: int) -> str | None:
    """The app an imported module belongs to ('firstline.x...' or a relative import)."""
    if level:
        base = package.split(".")[: len(package.split(".")) - (level - 1)]
        module = ".".join(base + ([module] if module else []))
    parts = module.split(".")
    if parts[0] != "firstline" or len(parts) < 2:
        return None
    if parts[1] in RANK:
        return parts[1]
    return OWNED_TOP_LEVEL.get(f"{parts[1]}.py")


def imported_apps(source: str, *, package: str) -> list[tuple[int, str]]:
    """(line, app) for every import of a Firstline app in ``source``, at any depth."""
    found = []
    for node in ast.walk(ast.parse(source)):
        targets: list[tuple[str, int]] = []
        if isinstance(node, ast.Import):
            targets = [(alias.name, 0) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            targets = [(node.module or "", node.level)]
            # ``from firstline import checks``: the names are the modules.
            if node.module == "firstline" and not node.level:
                targets = [(f"firstline.{alias.name}", 0) for alias in node.names]
        for module, level in targets:
            target = _module_app(module, package=package, level=level)
            if target:
                found.append((node.lineno, target))
    return found


def python_edges() -> list[tuple[str, int, str, str]]:
    """(file, line, importing app, imported app) for every import across apps."""
    edges = []
    for path in sorted(PACKAGE.rglob("*.py")):
        app = _app_of(path)
        if app is None or not _checked(path):
            continue
        rel = path.relative_to(ROOT)
        package = ".".join(rel.with_suffix("").parts[:-1])
        for line, target in imported_apps(path.read_text(), package=package):
            if target != app:
                edges.append((str(rel), line, app, target))
    return edges


def tag_libraries() -> dict[str, str]:
    """Template tag library name -> the app that defines it."""
    return {
        lib.stem: lib.parts[-3]
        for lib in PACKAGE.glob("*/templatetags/*.py")
        if lib.stem != "__init__" and lib.parts[-3] in RANK
    }


def template_edges() -> list[tuple[str, int, str, str]]:
    libraries = tag_libraries()
    edges = []
    for path in sorted([*PACKAGE.glob("*/templates/**/*"), *TEMPLATES.glob("**/*")]):
        app = _app_of(path)
        if app is None or not path.is_file():
            continue
        for lineno, line in enumerate(path.read_text().splitlines(), 1):
            for match in LOAD.finditer(line):
                names = match.group(1).split()
                if "from" in names:  # {% load tag from library %}
                    names = names[names.index("from") + 1 :]
                for name in names:
                    target = libraries.get(name)
                    if target and target != app:
                        edges.append((str(path.relative_to(ROOT)), lineno, app, target))
    return edges


def against_the_stack(edges: list[tuple[str, int, str, str]]) -> list[str]:
    return [
        f"{file}:{line}: {app} (level {RANK[app]}) imports {target} (level {RANK[target]}), "
        f"which is above it"
        for file, line, app, target in edges
        if RANK[target] > RANK[app]
    ]


def test_the_reader_sees_imports_of_every_kind():
    # Guards the test itself: if it stopped finding edges it would pass on anything.
    source = (
        "import firstline.geo.models\n"
        "from ..officials import selectors\n"
        "def f():\n"
        "    from firstline.api import views\n"
        "    from . import helpers\n"
        "from firstline import checks\n"
    )
    assert imported_apps(source, package="firstline.delivery.channels") == [
        (1, "geo"),
        (2, "delivery"),  # ``..officials`` from delivery.channels is delivery.officials
        (6, "core"),
        (4, "api"),
        (5, "delivery"),
    ]
    assert ("delivery", "campaigns") in {(a, t) for _f, _l, a, t in python_edges()}
    assert tag_libraries().get("policies_tags") == "policies"
    assert LOAD.findall("{% load i18n delivery_tags %}") == ["i18n delivery_tags"]


def test_python_imports_only_go_down_the_stack():
    problems = against_the_stack(python_edges())
    assert not problems, (
        "Imports against the app stack (lib < core < mail < geo < officials < policies "
        "< campaigns < delivery < residents < api < opendata; a module imports only its own app or "
        "apps below it):\n  " + "\n  ".join(problems)
    )


def test_templates_load_only_tag_libraries_from_their_app_or_below():
    problems = against_the_stack(template_edges())
    assert not problems, (
        "{% load %} of a tag library from an app above the template's app:\n  "
        + "\n  ".join(problems)
    )
