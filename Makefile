# Two commands on a fresh machine:
#   make run   – set everything up (virtualenv, dependencies, SQLite, demo data) and serve on :8000
#   make test  – set up what the tests need and run the whole suite (non-zero on any failure)
# With DATABASE_URL=postgres://postgres@127.0.0.1:5432/<name> both use PostgreSQL instead.
# In production (README, "Production"):
#   make serve   – migrations, collectstatic, then gunicorn with the production settings on $PORT
#   make worker  – a background worker (PDFs, e-mail) with the same variables

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve worker backup restore prod-env test setup system-check test-tools migrate demo lint format ci clean bench

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is required (found %s); set PYTHON=/path/to/python3.11" % sys.version.split()[0])'
	@$(PYTHON) -m venv $(VENV) || { echo "Could not create a virtual environment: install it with 'apt-get install python3-venv'"; exit 1; }
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e ".[dev]"
	@touch $@

setup: $(VENV)/.installed system-check

# WeasyPrint needs Pango from the operating system; say exactly what to install if it is missing.
system-check: $(VENV)/.installed
	@$(PY) -c 'import weasyprint' 2>/dev/null || { \
	  echo "WeasyPrint cannot load its system libraries. On Debian/Ubuntu run:"; \
	  echo "  sudo apt-get install -y libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"; \
	  exit 1; }
	@$(PY) -c 'import font_source_sans_pro' 2>/dev/null || $(PIP) install --quiet -e ".[dev]"

# What only the tests need. As root make installs it from Debian's packages; otherwise it says what
# to install. The PDF tests read documents back with poppler-utils; the accessibility tests drive
# Chromium and run the Nu HTML Checker on Java 17 (skipped, with that reason, if absent; CI refuses skips).
# The single sign-on test starts npm's oidc-provider on Node.js (20), installed from tests/sso/provider's
# package-lock.json; the calendar client test reads the .ics feeds with npm's ical.js, installed from
# tests/portal/calendar_client's; the HTML checker is npm's current vnu-jar, installed from
# tests/tools/package-lock.json (its postinstall, which would download a Java of its own, is not run:
# the machine's Java runs it). CI needs node and npm.
APT_INSTALL = apt-get install -y -qq $(1) >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq $(1) >/dev/null; }
test-tools: setup
	@command -v pdftotext >/dev/null && command -v pdfinfo >/dev/null && command -v pdffonts >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then $(call APT_INSTALL,poppler-utils); \
	  else echo "The PDF tests need poppler-utils: sudo apt-get install -y poppler-utils"; exit 1; fi; }
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then $(call APT_INSTALL,chromium); \
	  else echo "NOTE: the browser tests need Chromium: sudo apt-get install -y chromium"; fi; }
	@command -v java >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then $(call APT_INSTALL,openjdk-17-jre-headless); \
	  else echo "NOTE: the HTML checker tests need Java 17: sudo apt-get install -y openjdk-17-jre-headless"; fi; }
	@if command -v node >/dev/null && command -v npm >/dev/null; then \
	  npm ci --prefix tests/sso/provider --no-audit --no-fund --silent && \
	  npm ci --prefix tests/portal/calendar_client --no-audit --no-fund --silent && \
	  npm ci --prefix tests/tools --ignore-scripts --no-audit --no-fund --silent; \
	  else echo "NOTE: the single sign-on, calendar client and HTML checker tests run on Node.js 20: sudo apt-get install -y nodejs npm"; fi

migrate: setup
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo --if-empty

run: demo
	@echo ""
	@echo "  Helsefellesskap runs at http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	@echo "  Demo logins are listed in README.md (password: helsefellesskap-demo)"
	@echo ""
	$(PY) manage.py runserver $(HOST):$(PORT)

# Production: every variable comes from the environment; the settings refuse to start without
# DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DJANGO_SITE_URL, DATABASE_URL (PostgreSQL), REDIS_URL
# and DJANGO_EMAIL_URL, and say which one is missing.
PROD := DJANGO_SETTINGS_MODULE=helsefellesskap.settings.production
prod-env: setup
	@$(PROD) $(PY) manage.py check --deploy --fail-level ERROR >/dev/null

serve: prod-env
	$(PROD) $(PY) manage.py migrate --noinput
	$(PROD) $(PY) manage.py collectstatic --noinput --verbosity 0
	$(PROD) PORT=$(PORT) exec $(VENV)/bin/gunicorn --config gunicorn.conf.py helsefellesskap.wsgi

worker: prod-env
	$(PROD) exec $(VENV)/bin/celery --app helsefellesskap worker --loglevel INFO \
	  --concurrency $${CELERY_CONCURRENCY:-2} --hostname worker@%h

# Backups (README, "Backups and restore"): the database and the media folder, with the same
# variables as `make serve`; BACKUP_DIR (default ./backups) is where they go.
backup:
	scripts/backup.sh $(BACKUP_DIR)

# Into an empty database and media folder only; then checks the result with the production settings.
restore: prod-env
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=backups/helsefellesskap-<time>"; exit 1; }
	scripts/restore.sh "$(BACKUP)"
	$(PROD) $(PY) manage.py check_restore

test: setup test-tools
	$(PY) -m pytest $(PYTEST_ARGS)

# The web benchmark (bench/README.md, "Web: bench/web.py"): generates the national-scale PostgreSQL
# database when missing (BENCH_DATABASE_URL, default bench_national), starts `make serve` and the
# baseline, runs wrk and prints the tables; BENCH_ARGS passes options, e.g. BENCH_ARGS=--markdown.
bench: setup
	$(PY) bench/web.py $(BENCH_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/lint-imports
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

ci:
	.ci/run

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
