# Firstline. Quick start: `make demo` (run it) and `make test` (prove it).
# Works on a fresh Debian 12 machine as root with pyenv Pythons, or anywhere uv runs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# pyenv shims follow .python-version files and fail for versions that are not
# selected, so point uv straight at an installed 3.13 when pyenv has one;
# elsewhere uv finds or downloads a 3.13 itself.
PYENV_313 := $(firstword $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3.13))
export UV_PYTHON ?= $(if $(PYENV_313),$(PYENV_313),3.13)
export UV_PROJECT_ENVIRONMENT := .venv
# A working uv on PATH, or our own copy in .tools/ (installed with pip on first use).
UV := $(shell uv --version >/dev/null 2>&1 && command -v uv || echo .tools/bin/uv)
PY := .venv/bin/python
MANAGE := $(PY) manage.py
PG_URL ?= postgres://firstline:firstline@127.0.0.1:5432/firstline

.PHONY: help setup sysdeps data demo test test-sqlite test-postgres lint typecheck bench clean messages container-test

help:
	@echo "make demo   set up, load the bundled national data, seed a demo campaign, run web + worker"
	@echo "make test   set up, then run the whole suite on SQLite and on PostgreSQL (with Chromium)"
	@echo "make data   migrate and (re)load the bundled data; idempotent"
	@echo "make lint | typecheck | bench | messages | container-test"

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet "uv==0.13.8"

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	@touch $@

setup: .venv/.synced

# Debian packages the app itself needs (WeasyPrint's Pango/HarfBuzz for print packets).
sysdeps:
	@scripts/ensure_debs.sh libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core

data: setup
	$(MANAGE) migrate --noinput -v0
	$(MANAGE) createcachetable
	$(MANAGE) load_bundled

demo: setup sysdeps data
	$(MANAGE) seed_demo
	$(MANAGE) run_demo

test: setup sysdeps
	@scripts/ensure_debs.sh chromium postgresql
	@scripts/ensure_postgres.sh
	$(MAKE) test-sqlite
	$(MAKE) test-postgres

test-sqlite: setup
	FIRSTLINE_ENV=test $(PY) -m pytest -q $(PYTEST_ARGS)

test-postgres: setup
	FIRSTLINE_ENV=test DATABASE_URL=$(PG_URL) $(PY) -m pytest -q $(PYTEST_ARGS)

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(MANAGE) makemigrations --check --dry-run

typecheck: setup
	$(PY) -m mypy firstline

# The benchmarks (each prints one RESULT line); bench/ also holds the sign-on
# bench's settings and URLconf, which are not benchmarks. Some read the loaded
# data (make data), several need PostgreSQL.
BENCHES = import scorecard lookup delivery delivery_serialization signon_burst
bench: setup sysdeps data
	@scripts/ensure_debs.sh postgresql
	@scripts/ensure_postgres.sh
	@for b in $(BENCHES); do echo "== bench/$$b.py"; $(PY) bench/$$b.py --quick || exit 1; done
	@echo "== bench/scaleout.py"; DATABASE_URL=$(PG_URL) $(PY) bench/scaleout.py --quick

# Each app with a locale/ keeps its own catalog, made from inside the app (so
# its paths are relative to it); the project catalog (locale/) takes the rest:
# templates/ and the apps without a locale/ of their own.
CATALOG_APPS := $(patsubst firstline/%/locale,%,$(wildcard firstline/*/locale))
messages: setup
	@for app in $(CATALOG_APPS); do \
	  (cd firstline/$$app && ../../$(PY) ../../manage.py makemessages -l es --ignore "tests/*" >/dev/null) || exit 1; \
	done
	$(MANAGE) makemessages -l es $(foreach app,$(CATALOG_APPS),--ignore "firstline/$(app)/*") \
	  --ignore "*/tests/*" --ignore "bench/*" --ignore "data/*" --ignore "var/*" --ignore "staticfiles/*" >/dev/null
	$(MANAGE) compilemessages -v0

# Builds the image and smoke-tests it (PostgreSQL, data load, web, worker,
# /healthz) where docker or podman works; elsewhere says so and succeeds (the
# suite's test_packaging.py still checks the files).
container-test:
	@engine=""; for e in docker podman; do \
		if command -v $$e >/dev/null && $$e info >/dev/null 2>&1; then engine=$$e; break; fi; \
	done; \
	if [ -z "$$engine" ]; then \
		echo "container-test: no working docker or podman (not installed, or no daemon); skipped, nothing built."; \
		exit 0; \
	fi; \
	scripts/container_smoke.sh "$$engine"

clean:
	rm -rf .venv .tools var
