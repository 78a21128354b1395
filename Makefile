# Two commands for a fresh clone: `make run` (the demo) and `make test` (the tests).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DJANGO_SETTINGS_MODULE := rrp.settings

.PHONY: run test install lint test-postgres test-browser clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Re-install only when the pinned requirements change.
$(VENV)/.installed: requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	touch $@

node_modules/.installed: package.json package-lock.json scripts/build_assets.py | $(VENV)/.installed
	npm ci --no-audit --no-fund --loglevel=error
	$(BIN)/python scripts/build_assets.py
	touch $@

install: $(VENV)/.installed node_modules/.installed

run: install
	DEBUG=1 $(BIN)/python manage.py migrate --no-input
	DEBUG=1 $(BIN)/python manage.py seed_demo
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:8000

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: install lint
	RRP_TESTING=1 $(BIN)/python manage.py makemigrations --check --dry-run
	RRP_TESTING=1 $(BIN)/python -m pytest -m "not browser" -n auto

test-postgres: install
	RRP_TESTING=1 DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/rrp} \
		$(BIN)/python -m pytest -m "not browser" -n auto

test-browser: install
	RRP_TESTING=1 DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/python -m pytest -m browser

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3
