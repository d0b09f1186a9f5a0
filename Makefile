# BrightWindow: `make demo` serves the demo city on SQLite; `make test` runs the whole suite.
# Debian needs python3 and python3-venv (see README.md); PostgreSQL is used when DATABASE_URL says so.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
DEMO_DB ?= sqlite:///$(CURDIR)/db.sqlite3
PYTEST_ARGS ?=

.PHONY: install demo demo-data serve compile-messages test test-fast lint messages check-deploy bench clean

# The stamp is rebuilt whenever a requirements file changes.
$(VENV)/.installed: requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "BrightWindow needs Python 3.11 or newer as '$(PYTHON)' (Debian 12: apt-get install python3)." >&2; exit 1; }
	@if [ ! -x $(BIN)/pip ]; then \
	  $(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { \
	    echo "'$(PYTHON) -m venv' is not available. On Debian/Ubuntu: sudo apt-get install python3-venv" >&2; exit 1; }; \
	  rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); \
	fi
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# The demo: its own SQLite file whatever DATABASE_URL says, DEBUG off as in production (Chinese error pages),
# plain HTTP on loopback, and printed QR links that point at the port it serves on.
DEMO_SECRET := $(CURDIR)/.demo-secret-key
DEMO_ENV = DATABASE_URL=$(DEMO_DB) DEBUG=false HTTPS=false STATIC_MANIFEST=false \
	SECRET_KEY_FILE=$(DEMO_SECRET) ALLOWED_HOSTS=127.0.0.1,localhost PUBLIC_BASE_URL=http://127.0.0.1:$(PORT)

$(DEMO_SECRET):
	@$(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@

demo-data: install $(DEMO_SECRET)
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEMO_ENV) $(BIN)/python manage.py demo_seed --if-empty

serve: install $(DEMO_SECRET)
	@echo "亮窗演示：http://127.0.0.1:$(PORT)/  (账号见 README.md)"
	$(DEMO_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

demo: demo-data
	@$(MAKE) --no-print-directory serve

# Compiles translations when gettext is installed; tests then run in zh-Hans and English.
compile-messages: install
	@if command -v msgfmt >/dev/null 2>&1; then \
	  DEBUG=true $(BIN)/python manage.py compilemessages --ignore=.venv -v 0; \
	else \
	  echo "warning: gettext (msgfmt) is missing, English translations are not compiled (apt-get install gettext)" >&2; \
	fi

test: install compile-messages
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Everything except the browser tests.
test-fast: install compile-messages
	$(BIN)/python -m pytest -m "not browser" $(PYTEST_ARGS)

# Style, the layer contract (import-linter, pyproject.toml) and the types of services, selectors and access.
lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

messages: install
	DEBUG=true $(BIN)/python manage.py makemessages -l en --ignore=.venv --ignore=tests --ignore=staticfiles
	DEBUG=true $(BIN)/python manage.py compilemessages --ignore=.venv

# Django's deployment checklist with production-like settings (a throwaway secret).
check-deploy: install
	DEBUG=false \
	SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	ALLOWED_HOSTS=window.example.gov.cn PUBLIC_BASE_URL=https://window.example.gov.cn \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

bench: install
	$(BIN)/python bench/decision.py
	$(BIN)/python bench/rating_latency.py
	$(BIN)/python bench/devices_idle.py

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm .demo-secret-key staticfiles .pytest_cache .ruff_cache \
	  .mypy_cache .import_linter_cache test-artifacts
