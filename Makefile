# BrightWindow: `make demo` serves the demo city on SQLite; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
DEMO_DB ?= sqlite:///$(CURDIR)/db.sqlite3

.PHONY: install demo demo-data serve test test-fast lint messages bench clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

demo: install
	DATABASE_URL=$(DEMO_DB) $(BIN)/python manage.py migrate --noinput
	DATABASE_URL=$(DEMO_DB) $(BIN)/python manage.py demo_seed --if-empty
	@echo "亮窗演示：http://127.0.0.1:$(PORT)/  (账号见 README.md)"
	DATABASE_URL=$(DEMO_DB) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(BIN)/python manage.py compilemessages --ignore=.venv -v 0 2>/dev/null || true
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

messages: install
	$(BIN)/python manage.py makemessages -l en --ignore=.venv --ignore=tests
	$(BIN)/python manage.py compilemessages --ignore=.venv

bench: install
	$(BIN)/python bench/decision.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
