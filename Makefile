# Young Scrutineers — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-fast test-e2e lint format install assets lock migrate seed worker bench clean help

help:
	@echo "make run    start the product on embedded defaults (SQLite, no-server broker, console email, local Stripe test server) with demo data"
	@echo "make test   run every test (unit, service, API, pages and browser journeys)"
	@echo "make lint   ruff, djLint and mypy"

$(BIN)/activate:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is needed (set PYTHON=/path/to/python3.11)")'
	$(PYTHON) -m venv $(VENV)

# Installs exactly what requirements.lock pins (with hashes); re-runs only when the lock changes.
$(VENV)/.installed: requirements.lock | $(BIN)/activate
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# GOV.UK Frontend compiled with our own font stack (no GDS Transport, no crown) plus htmx.
frontend/static/build/app.css: node_modules/.installed frontend/scss/app.scss
	mkdir -p frontend/static/build
	npx sass --quiet --no-source-map --load-path=node_modules frontend/scss/app.scss frontend/static/build/app.css
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js frontend/static/build/govuk-frontend.min.js
	cp node_modules/htmx.org/dist/htmx.min.js frontend/static/build/htmx.min.js
	rm -rf frontend/static/build/assets && cp -r node_modules/govuk-frontend/dist/govuk/assets frontend/static/build/assets

install: $(VENV)/.installed

assets: frontend/static/build/app.css

migrate: install assets
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo --if-empty

run: seed
	@echo ""
	@echo "Young Scrutineers is starting at http://$(HOST):$(PORT)/ — demo logins are in docs/demo.md"
	@$(PY) manage.py demo_logins
	@trap 'trap - EXIT INT TERM; kill 0' EXIT INT TERM; \
	  $(PY) -m payments.stripe_server --port 12111 \
	    --webhook-url http://127.0.0.1:$(PORT)/payments/stripe/webhook/local-development-webhook/ \
	    --webhook-secret whsec_local_development_only & \
	  DJANGO_SETTINGS_MODULE=config.settings.local $(BIN)/celery -A config worker --beat --loglevel=INFO --concurrency=1 --schedule=.celerybeat-schedule & \
	  $(PY) manage.py runserver $(HOST):$(PORT)

worker: install
	DJANGO_SETTINGS_MODULE=config.settings.local $(BIN)/celery -A config worker --beat --loglevel=INFO --concurrency=1 --schedule=.celerybeat-schedule

test: install assets
	$(BIN)/playwright --version >/dev/null
	$(PY) -m pytest $(PYTEST_ARGS)

test-fast: install assets
	$(PY) -m pytest -m "not e2e" $(PYTEST_ARGS)

test-e2e: install assets
	$(PY) -m pytest -m e2e $(PYTEST_ARGS)

# Every benchmark on the national data set in the local PostgreSQL (bench/run_all.py): JSON lines on stdout.
# BENCH_DATABASE_URL names another database than postgres://postgres@127.0.0.1:5432/young_scrutineers_bench.
bench: install assets
	@$(PY) -m bench.run_all

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/djlint frontend/templates --lint
	$(BIN)/mypy .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
	$(BIN)/djlint frontend/templates --reformat

# Re-pin every Python dependency from pyproject.toml (needs network access to PyPI).
lock: $(BIN)/activate
	$(PY) -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements.lock

clean:
	rm -rf $(VENV) node_modules frontend/static/build staticfiles db.sqlite3 celery-broker.sqlite3 .celerybeat-schedule*
