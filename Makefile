# Clarion: `make run` sets everything up and serves Clarion with demo data;
# `make test` runs the whole test suite. Both work on a fresh machine.

SHELL := /bin/bash
# The newest Python 3.12+ on the machine (pyenv reads .python-version for `python3`).
PYTHON ?= $(shell for p in python3.13 python3.12 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' \
	2>/dev/null && echo $$p && break; done)
UV_VERSION := 0.13.8
UV := .tools/bin/uv
VENV := .venv
PORT ?= 8000
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: setup translations run test lint bench chromium clean

setup: $(VENV)/.synced clarion/static/dist/app.js translations

translations: $(VENV)/.synced
	$(VENV)/bin/clarion compile_translations

run: setup
	$(VENV)/bin/clarion run --port $(PORT)

test: setup chromium
	$(VENV)/bin/python -m pytest $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check clarion tests bench

# Benchmarks run against PostgreSQL (BENCH_DATABASE_URL, default database clarion_bench).
BENCH_SCALE ?= 1000000
bench: setup
	$(VENV)/bin/python -m bench.generate --contacts $(BENCH_SCALE)
	@for module in $(filter-out bench/__init__.py bench/generate.py,$(wildcard bench/*.py)); do \
		$(VENV)/bin/python -m bench.$$(basename $$module .py) || exit 1; done

$(UV):
	@test -n "$(PYTHON)" || { echo "Clarion needs Python 3.12 or newer"; exit 1; }
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --python $(PYTHON)
	touch $@

frontend/node_modules/.package-lock.json: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $@

clarion/static/dist/app.js: frontend/node_modules/.package-lock.json frontend/package.json $(wildcard frontend/src/*)
	cd frontend && npm run build

# Debian's Chromium drives the browser tests (no browser downloads at test time).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

clean:
	rm -rf .tools $(VENV) frontend/node_modules clarion/static/dist
