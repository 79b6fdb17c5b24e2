# make run   — set up everything and serve the archive on http://127.0.0.1:8000 (SQLite)
# make test  — the whole suite on SQLite, then on PostgreSQL when one answers
# make bench — the benchmark suite (not part of make test)
# make screenshots — refresh the README's pictures in docs/screenshots/ (needs Chromium)

VENV   := .venv
PY     := $(VENV)/bin/python
PG_URL ?= postgres://postgres@127.0.0.1:5432/archive
PYTEST_ARGS ?=

.PHONY: messages run test test-sqlite test-postgres bench lint screenshots browser-tools clean

$(VENV)/.installed: requirements.txt
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt
	@touch $@

venv: $(VENV)/.installed

# The interface's Dari and Pashto catalogues (locale/*/LC_MESSAGES/django.po) compiled to .mo (not committed);
# needs GNU gettext's msgfmt (Debian: apt-get install gettext; .ci/run installs it).
messages: venv
	DJANGO_DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules --ignore=.git --ignore=staticfiles -v0

run: venv messages
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=1 $(PY) manage.py createcachetable
	DJANGO_DEBUG=1 $(PY) manage.py import_articles seeds/
	DJANGO_DEBUG=1 $(PY) manage.py setup_roles
	DJANGO_DEBUG=1 $(PY) manage.py ensure_admin
	DJANGO_DEBUG=1 $(PY) manage.py set_site_domain $${ARCHIVE_SITE_DOMAIN:-127.0.0.1:8000}
	DJANGO_DEBUG=1 $(PY) manage.py schedule_maintenance
	@echo "== serving on http://127.0.0.1:8000 with a task worker beside it; Ctrl-C stops both"
	@DJANGO_DEBUG=1 $(PY) manage.py ensure_admin --show http://127.0.0.1:8000
	@DJANGO_DEBUG=1 $(PY) manage.py db_worker --no-reload & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	  DJANGO_DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

# SQLite always; PostgreSQL when DATABASE_URL names one or a server answers on 127.0.0.1:5432.
# The backends that ran are written to .test-backends, which .ci/run checks.
test: venv messages
	@rm -f .test-backends
	@echo "== test suite on SQLite"
	DATABASE_URL=sqlite:///$(CURDIR)/test.sqlite3 $(PY) -m pytest $(PYTEST_ARGS)
	@echo sqlite >> .test-backends
	@url="$${DATABASE_URL:-}"; \
	case "$$url" in postgres*) ;; *) url=""; \
	  if $(PY) -c "import socket; socket.create_connection(('127.0.0.1', 5432), 1)" 2>/dev/null; then url="$(PG_URL)"; fi;; \
	esac; \
	if [ -n "$$url" ]; then \
	  echo "== test suite on PostgreSQL ($$url)"; \
	  DATABASE_URL="$$url" $(PY) -m pytest $(PYTEST_ARGS) && echo postgresql >> .test-backends || exit 1; \
	else \
	  echo "== PostgreSQL skipped: no DATABASE_URL and nothing answers on 127.0.0.1:5432"; \
	fi
	@echo "== backends tested: $$(paste -sd' ' .test-backends)"

bench: venv
	$(PY) -m tests.benchmarks.run

# The README's pictures, taken by the browser tests that check what they show (tests/browser/test_screenshots.py).
screenshots: venv
	ARCHIVE_SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots ARCHIVE_REQUIRE_BROWSER=1 \
	  DATABASE_URL=sqlite:///$(CURDIR)/test.sqlite3 $(PY) -m pytest tests/browser/test_screenshots.py $(PYTEST_ARGS)
	@ls -l docs/screenshots/*.png

# The browser suite's npm validators (vnu-jar, axe-core) into node_modules/; .ci/run does the same.
browser-tools:
	npm ci --ignore-scripts --no-audit --no-fund

lint: venv
	$(VENV)/bin/ruff check .
	DJANGO_DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 test.sqlite3 test-run-*.sqlite3 .test-backends artifacts
