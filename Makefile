# The two commands: `make run` (demo on http://127.0.0.1:8000) and `make test` (whole suite,
# SQLite and PostgreSQL side by side). Everything else they need is installed by these targets.
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
BIN := $(VENV)/bin
export LIANDONG_DATA_DIR ?= $(CURDIR)/var

.PHONY: run test test-sqlite test-postgres install install-test system-deps lint bench drill clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

run: install
	$(BIN)/liandong demo --port $(PORT)

system-deps:
	scripts/system-deps.sh

# A lint failure fails the suite (and CI) before any test runs.
test: lint system-deps
	scripts/run-tests.sh

test-sqlite: install-test
	$(BIN)/pytest -q

test-postgres: install-test system-deps
	scripts/run-tests.sh postgres

# ruff, mypy (configured in pyproject.toml) and a check that no model change lacks its
# migration; the last runs on a throwaway SQLite data dir, so no database is needed.
lint: install-test
	$(BIN)/ruff check src bench
	$(BIN)/ruff format --check src bench
	$(BIN)/mypy
	tmp=$$(mktemp -d) && LIANDONG_DATA_DIR=$$tmp $(BIN)/liandong makemigrations --check --dry-run; \
	status=$$?; rm -rf $$tmp; exit $$status

# The foundation's HTTP bench (both databases), then each module's own (bench/bench_<app>.py,
# results in bench/results/<app>.md).
bench: install-test system-deps
	$(BIN)/python bench/run.py
	for script in bench/bench_*.py; do $(BIN)/python $$script || exit 1; done

# The fault drill (not part of `make test`): public intake under load on gunicorn while a
# worker and then the master are killed with SIGKILL, on SQLite and a throwaway PostgreSQL;
# fails unless every acknowledged tracking code is stored exactly once (bench/drill.py).
drill: install-test system-deps
	$(BIN)/python bench/drill.py --write

clean:
	rm -rf $(VENV) var .pytest_cache
