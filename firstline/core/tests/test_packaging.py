"""The ways to deploy stay in step with the README (issue 16, "Packaging").

No container engine runs here, so this reads the files: the Dockerfile,
compose.yaml and the systemd units must run the same entry points, with the
same arguments and the production settings, as the README's production
commands; and ``.env.example`` must list every variable the code reads.
``make container-test`` builds and runs the image where an engine exists.
"""

from __future__ import annotations

import ast
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]
UNITS = ROOT / "docs" / "deploy"
ENV_READERS = {"env_str", "env_int", "env_bool", "env_list", "env_choice"}

# --- .env.example -----------------------------------------------------------------------------


def _variables_read(path: Path) -> set[str]:
    """Names passed as a literal to env_*(), os.environ.get(), os.getenv() or os.environ[...]."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name in ENV_READERS or ast.unparse(func) in {"os.environ.get", "os.getenv"}:
                found.add(str(node.args[0].value))
        subscript = isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ"
        if subscript and isinstance(node.slice, ast.Constant):
            found.add(str(node.slice.value))
    return found


def _production_modules() -> list[Path]:
    skip = {"conftest.py", "testing.py"}
    modules = [
        p
        for p in (ROOT / "firstline").rglob("*.py")
        if "tests" not in p.parts and p.name not in skip
    ]
    return [*modules, ROOT / "gunicorn.conf.py"]


def _example_variables() -> set[str]:
    text = (ROOT / ".env.example").read_text()
    # Listed as NAME=value, or commented out as "# NAME=" when it has no useful default.
    return set(re.findall(r"^(?:# ?)?([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))


def test_settings_are_read_with_the_env_helpers():
    # The scan below would miss a variable read any other way.
    assert len(_variables_read(ROOT / "firstline" / "settings.py")) > 40


def test_env_example_lists_every_variable_the_code_reads():
    listed = _example_variables()
    missing = {
        f"{name} ({path.relative_to(ROOT)})"
        for path in _production_modules()
        for name in _variables_read(path)
        if name not in listed
    }
    assert not missing, f"add these to .env.example, with a comment: {sorted(missing)}"


def test_a_dotenv_file_is_read_and_the_environment_wins(tmp_path):
    env_file = tmp_path / "site.env"
    env_file.write_text("SITE_URL=https://from-dotenv.example.org/\nROSTER_INVITE_DAYS=9\n")
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.SITE_URL, settings.ROSTER_INVITE_DAYS, settings.ENV_FILE)"
    )
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "firstline.settings",
           "FIRSTLINE_VAR_DIR": str(tmp_path), "FIRSTLINE_ENV_FILE": str(env_file),
           "ROSTER_INVITE_DAYS": "4"}  # fmt: skip
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["https://from-dotenv.example.org", "4", str(env_file)]
    env["FIRSTLINE_ENV_FILE"] = ""
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["http://127.0.0.1:8000", "4", "None"]


# --- entry points -----------------------------------------------------------------------------


def _normalize(argv: list[str]) -> tuple[str, ...]:
    """Drop the interpreter and the path to the venv, and gunicorn's bind
    address (loopback behind a proxy, 0.0.0.0 in a container)."""
    args = list(argv)
    while args and (Path(args[0]).name.startswith("python") or args[0] == "-m"):
        args.pop(0)
    if args and Path(args[0]).name == "gunicorn":
        args[0] = "gunicorn"
        if "-b" in args:
            at = args.index("-b")
            del args[at : at + 2]
    return tuple(args)


def _split(command: str) -> list[tuple[str, ...]]:
    command = command.split(" #", 1)[0]
    return [_normalize(shlex.split(part)) for part in command.split("&&") if part.strip()]


def _readme() -> tuple[list[tuple[str, ...]], str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Running in production", 1)[1]
    block = section.split("```sh", 1)[1].split("```", 1)[0].replace("\\\n", " ")
    commands, exports = [], ""
    for line in block.splitlines():
        if line.startswith("export "):
            exports = line
        elif line.strip():
            commands += _split(line)
    return commands, exports


def _by_entry(commands: list[tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    return {(c[1] if c[0] == "manage.py" else c[0]): c for c in commands}


def _compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def _compose_commands(service: dict) -> list[tuple[str, ...]]:
    command = service["command"]
    if command[:2] == ["sh", "-c"]:
        return _split(command[2])
    return [_normalize(command)]


def _unit(name: str) -> tuple[list[tuple[str, ...]], dict[str, list[str]]]:
    keys: dict[str, list[str]] = {}
    for line in (UNITS / name).read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            keys.setdefault(key, []).append(value)
    return [_normalize(shlex.split(c)) for c in keys.get("ExecStart", [])], keys


def _dockerfile() -> tuple[list[str], tuple[str, ...]]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    cmd = next(line for line in lines if line.startswith("CMD "))
    return lines, _normalize(json.loads(cmd[4:]))


def test_readme_lists_the_production_entry_points():
    readme = _by_entry(_readme()[0])
    assert set(readme) == {
        "migrate", "createcachetable", "collectstatic", "load_bundled",
        "gunicorn", "db_worker", "run_periodic",
    }  # fmt: skip
    assert readme["gunicorn"][1] == "firstline.wsgi:application"


def test_long_running_processes_match_the_readme():
    readme = _by_entry(_readme()[0])
    services = _compose()["services"]
    _lines, docker_cmd = _dockerfile()
    expected = {
        "gunicorn": (services["web"], "firstline-web.service"),
        "db_worker": (services["worker"], "firstline-worker@.service"),
        "run_periodic": (services["periodic"], "firstline-periodic.service"),
    }
    for entry, (service, unit) in expected.items():
        assert _compose_commands(service) == [readme[entry]], entry
        unit_commands, keys = _unit(unit)
        assert unit_commands == [readme[entry]], unit
        assert keys["Restart"] == ["always"], unit
    # The image's default command is the web process.
    assert docker_cmd == readme["gunicorn"]


def test_one_shot_steps_match_the_readme():
    readme = _by_entry(_readme()[0])
    data_steps = [readme["migrate"], readme["createcachetable"], readme["load_bundled"]]
    assert _compose_commands(_compose()["services"]["load"]) == data_steps
    assert _unit("firstline-load.service")[0] == data_steps
    lines, _cmd = _dockerfile()
    runs = [line for line in lines if line.startswith("RUN ") and "manage.py" in line]
    # Static files are collected once, at build time, with the README's command
    # (after a throwaway key assignment).
    assert [_split(re.sub(r"^RUN ([A-Z_]+=\S+ )*", "", r)) for r in runs] == [
        [readme["collectstatic"]]
    ]


def test_every_process_gets_the_production_settings():
    _commands, exports = _readme()
    assert "FIRSTLINE_ENV=production" in exports
    listed = _example_variables()
    exported = re.findall(r"([A-Z][A-Z0-9_]*)=", exports)
    assert set(exported) <= listed
    compose = _compose()
    for name in ("load", "web", "worker", "periodic"):
        service = compose["services"][name]
        assert service["environment"]["FIRSTLINE_ENV"] == "production", name
        assert service["environment"]["DATABASE_URL"].startswith("postgres://"), name
        assert [f["path"] for f in service["env_file"]] == [".env"], name
        assert service["image"] == "firstline:latest" and service["build"] == ".", name
    # Scalable workers: no fixed name or port; exactly one periodic.
    worker, periodic = compose["services"]["worker"], compose["services"]["periodic"]
    assert "container_name" not in worker and "ports" not in worker
    assert periodic.get("deploy", {}).get("replicas", 1) == 1
    for unit in UNITS.glob("*.service"):
        _cmds, keys = _unit(unit.name)
        assert keys["EnvironmentFile"] == ["/srv/firstline/.env"], unit.name
        assert keys["Environment"] == ["FIRSTLINE_ENV=production"], unit.name
        # gunicorn reads gunicorn.conf.py from its working directory.
        assert keys["WorkingDirectory"] == ["/srv/firstline"], unit.name
    lines, _cmd = _dockerfile()
    assert "WORKDIR /app" in lines and "COPY . ." in lines
    assert "gunicorn.conf.py" not in (ROOT / ".dockerignore").read_text()
    assert any("FIRSTLINE_ENV=production" in line for line in lines if line.startswith("ENV"))


def test_the_image_is_built_as_documented():
    lines, _cmd = _dockerfile()
    text = "\n".join(lines)
    assert [line for line in lines if line.startswith("FROM")] == ["FROM python:3.13-slim"]
    assert "uv sync --frozen --no-dev" in text
    # WeasyPrint's libraries: the same Debian packages as `make sysdeps`.
    makefile = (ROOT / "Makefile").read_text()
    sysdeps = re.search(r"^sysdeps:\n\t@scripts/ensure_debs\.sh (.+)$", makefile, re.MULTILINE)
    assert sysdeps
    for package in sysdeps.group(1).split():
        assert package in text, package
    user = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert user and user[-1] not in {"root", "0"}
