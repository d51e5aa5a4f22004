# The commands of the README: `make run` (development), `make serve` (production) and
# `make test`. All work on a fresh Debian machine with python3, make and apt.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
CHROMIUM ?= /usr/bin/chromium

export UV_PYTHON_DOWNLOADS := never
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: install run serve test lint typecheck format check migrate demo messages browser clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip sync --quiet --python $(BIN)/python requirements.lock
	touch $@

## install: create .venv with everything the app and the tests need
install: $(VENV)/.installed
	$(BIN)/python manage.py compilemessages --ignore=.venv -v 0

## run: install, migrate, load the demo and serve on http://127.0.0.1:8000 (development)
run: install
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py migrate --no-input -v 0
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py seed_demo
	DEBUG=$${DEBUG:-true} $(BIN)/python manage.py runserver 127.0.0.1:8000

# make serve: gunicorn on HOST:PORT with WEB_CONCURRENCY workers; database connections kept.
HOST ?= 127.0.0.1
PORT ?= 8000
WEB_CONCURRENCY ?= 2
serve: export DATABASE_CONN_MAX_AGE ?= 60

## serve: install, collect static files, migrate (and the cache table), check, serve with gunicorn (production; docs/deploy.md)
serve: install
	$(BIN)/python manage.py collectstatic --no-input -v 0
	$(BIN)/python manage.py migrate --no-input -v 0
	$(BIN)/python manage.py check --deploy --fail-level ERROR
	exec $(BIN)/gunicorn confidence_vote.wsgi:application --bind $(HOST):$(PORT) \
		--workers $(WEB_CONCURRENCY) --access-logfile - --no-control-socket --forwarded-allow-ips=

## browser: Debian's packages the tests need, when missing: Chromium (Playwright tests),
## poppler-utils (PDF pages as images), softhsm2 and opensc (a PKCS#11 token for signing tests)
browser:
	@missing=""; \
	[ -x "$(CHROMIUM)" ] || missing="$$missing chromium"; \
	command -v pdftoppm >/dev/null || missing="$$missing poppler-utils"; \
	[ -f /usr/lib/softhsm/libsofthsm2.so ] && command -v softhsm2-util >/dev/null || missing="$$missing softhsm2"; \
	command -v pkcs11-tool >/dev/null || missing="$$missing opensc"; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian's$$missing for the tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

## lint: ruff (lint and format check)
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## typecheck: mypy with django-stubs over the apps (settings in pyproject.toml)
typecheck: install
	$(BIN)/mypy

## check: Django's checks and no missing migration
check: install
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

## test: install, then the whole suite
test: install browser lint typecheck check
	$(BIN)/pytest

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## messages: refresh the translation catalogues from the source
messages: install
	$(BIN)/python manage.py makemessages -l vi --ignore=.venv --ignore=bench --ignore=tests --ignore=static --no-location

clean:
	rm -rf $(VENV) staticfiles test-artifacts
