# InfraReady: `make demo` serves the demo, `make test` runs the whole suite. Both set up `.venv` when needed.
SHELL := /bin/bash
PORT ?= 8000
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
INTEGRATION_DATABASE_URL ?= postgres://infraready:infraready@127.0.0.1:5432/infraready
INTEGRATION_BROKER_URL ?= redis://127.0.0.1:6379/15

.PHONY: demo test test-api-fuzz test-integration lint format services system-packages worker clean bench

# A stamp per requirements set: pip runs again only when a requirements file changes.
$(VENV)/.runtime-installed: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11 or newer is needed"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	@touch $@

$(VENV)/.dev-installed: $(VENV)/.runtime-installed requirements-dev.txt
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	@touch $@

# make demo writes a .env with a random secret key once; DEBUG stays off, as in production. It serves with
# gunicorn and a Celery worker side by side (scripts/serve-demo.sh), the worker reading the embedded broker.
.env:
	@$(PYTHON) -c 'import secrets; print("SECRET_KEY=" + secrets.token_urlsafe(50))' > $@
	@echo "Wrote .env with a new SECRET_KEY"

system-packages:
	@scripts/ensure-packages.sh browser

demo: $(VENV)/.runtime-installed .env system-packages
	$(MANAGE) migrate --noinput
	$(MANAGE) collectstatic --noinput -v 0
	$(MANAGE) seed_demo
	@echo "InfraReady is serving on http://127.0.0.1:$(PORT)/  (log in with the user and password above; Ctrl-C stops)"
	@# The demo's integrations (Prometheus, BMCs) may target this machine and its network (docs/telemetry.md).
	@BIN=$(BIN) PORT=$(PORT) INTEGRATIONS_ALLOW_PRIVATE_TARGETS=$${INTEGRATIONS_ALLOW_PRIVATE_TARGETS:-true} scripts/serve-demo.sh

test: $(VENV)/.dev-installed system-packages
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

# schemathesis over every operation of /api/schema/ against a live server of the demo data (scripts/api-fuzz.sh):
# fails on any 5xx and on any response that does not match the schema. FUZZ_EXAMPLES, FUZZ_SEED, FUZZ_PORT.
test-api-fuzz: $(VENV)/.dev-installed
	BIN=$(BIN) scripts/api-fuzz.sh

services:
	@scripts/services.sh

test-integration: $(VENV)/.dev-installed system-packages
	DATABASE_URL=$(INTEGRATION_DATABASE_URL) CELERY_BROKER_URL=$(INTEGRATION_BROKER_URL) \
		$(BIN)/python -m pytest -m integration

worker: $(VENV)/.runtime-installed
	$(BIN)/celery -A config worker --loglevel INFO

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev-installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 db.sqlite3-wal db.sqlite3-shm celery-broker.sqlite3 celerybeat-schedule*

# Issue 16's benchmark: every measure as a ratio to a floor measured in the same run (SQLite; PostgreSQL with
# DATABASE_URL). Pass options with BENCH_ARGS, e.g. make bench BENCH_ARGS="--sizes 1000,10000 --runs 3".
bench: $(VENV)/.runtime-installed system-packages
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)
