# The README's two commands: `make run` and `make test`. Both work on a fresh machine:
# they create .venv, install, and prepare everything they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Unit tests run on every core; each worker has its own databases (see govstore/core/testing).
TEST_WORKERS ?= 2
STAMP := $(VENV)/.installed

.PHONY: run test test-unit test-browser install messages lint typecheck migrations-check check clean bench

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Compiled catalogues are build products: made from the .po files, never committed.
messages: install
	@command -v msgfmt >/dev/null 2>&1 || scripts/apt-install gettext
	$(BIN)/python manage.py compilemessages --ignore '.venv' --ignore 'var' -v 0

run: messages
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo --history
	PORT=$(PORT) scripts/run-embedded

test: messages
	$(BIN)/python manage.py check
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup -p govstore.core.testing.parallel govstore
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup -p govstore.core.testing.parallel \
		tests/security -p no:cacheprovider
	scripts/apt-install-chromium
	$(BIN)/pytest tests/e2e -p no:cacheprovider

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy .

migrations-check: install
	$(BIN)/python manage.py makemigrations --check --dry-run

check: lint typecheck migrations-check test

# Every benchmark against production-like processes on this machine (PostgreSQL and Redis
# started if down, wrk installed if missing); rewrites docs/performance.md. About 20 min.
# `make bench BENCH_ARGS=--quick` for a shorter check, `BENCH_ARGS="--only pages"` for one.
bench: messages
	scripts/bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var
