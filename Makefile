# One command to run the demo, one to run the tests; both set up what is missing first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup browser demo serve test lint format bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

# The browser tests drive Debian's Chromium; install it when it is missing (needs root and apt).
browser:
	@test -x /usr/bin/chromium || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }

demo: setup
	$(BIN)/lifeline demo

serve: setup
	$(BIN)/lifeline serve

# SQLite by default; PostgreSQL with LIFELINE_TEST_DATABASE_URL=postgresql://user@host/prefix
test: setup browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check lifeline tests bench
	$(BIN)/ruff format --check lifeline tests bench
	$(BIN)/mypy

format: setup
	$(BIN)/ruff check --fix lifeline tests bench
	$(BIN)/ruff format lifeline tests bench

bench: setup
	$(BIN)/python bench/nlu.py
	$(BIN)/python bench/kb_search.py
	$(BIN)/python bench/security.py

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
