"""Size and complexity figures for firstline/ (non-test code), for issue reports.

    .venv/bin/python scripts/code_metrics.py [--long 100] [--list] [ROOT]

Prints: lines of code (non-blank, non-comment), functions over ``--long``
lines (by AST, decorators excluded), raw ``cursor.execute``/``executemany``
calls and ``connection.vendor`` reads. Test code (``tests/``, ``conftest.py``,
``testing.py``) and migrations are left out.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path


def production_files(root: Path) -> list[Path]:
    skip = ("tests", "migrations")
    return sorted(
        p
        for p in root.rglob("*.py")
        if not any(part in skip for part in p.parts) and p.name not in ("conftest.py", "testing.py")
    )


def code_lines(source: str) -> int:
    return sum(
        1 for line in source.splitlines() if line.strip() and not line.strip().startswith("#")
    )


def long_functions(tree: ast.AST, limit: int) -> list[tuple[str, int, int]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > limit:
                found.append((node.name, node.lineno, length))
    return found


def raw_sql_calls(tree: ast.AST) -> int:
    return sum(
        1
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("execute", "executemany")
        and "cursor" in ast.unparse(node.func.value).lower()
    )


def vendor_reads(tree: ast.AST) -> int:
    return sum(
        1 for node in ast.walk(tree) if isinstance(node, ast.Attribute) and node.attr == "vendor"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("root", nargs="?", default="firstline")
    parser.add_argument("--long", type=int, default=100)
    parser.add_argument("--list", action="store_true", help="name each long function")
    args = parser.parse_args()
    loc = raw = vendor = 0
    long: list[str] = []
    for path in production_files(Path(args.root)):
        source = path.read_text()
        tree = ast.parse(source, filename=str(path))
        loc += code_lines(source)
        raw += raw_sql_calls(tree)
        vendor += vendor_reads(tree)
        long += [
            f"{path}:{line} {name} ({n} lines)" for name, line, n in long_functions(tree, args.long)
        ]
    print(
        f"lines_of_code={loc} functions_over_{args.long}={len(long)} cursor_execute={raw} connection_vendor={vendor}"
    )
    if args.list:
        print("\n".join(long), file=sys.stdout)


if __name__ == "__main__":
    main()
