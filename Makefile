# The two commands of the README. Each creates .venv when missing and installs the project.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
DEMO    ?= build/demo-exports
DEMO_LOCALE ?= en
DB      ?= build/demo.duckdb
SITE    ?= site
# The demo agency's data ends on Sunday 14 Dec 2025; evaluate it as of that Friday evening so
# the site shows a finished week, the current week and what is still at risk.
AS_OF   ?= 2025-12-12T20:00:00+08:00

.PHONY: demo test lint install clean

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/aemetrics demo --out $(DEMO) --locale $(DEMO_LOCALE)
	$(BIN)/aemetrics run --exports $(DEMO) --db $(DB) --as-of $(AS_OF) --site $(SITE)
	@echo ""
	@echo "Open the site:  xdg-open $(SITE)/index.html   (or: python3 -m http.server -d $(SITE) 8000)"

# Lint and types before the tests (configs in pyproject.toml: [tool.ruff], [tool.mypy], [tool.sqlfluff]).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/sqlfluff lint sql

test: lint
	$(BIN)/python -m pytest -q

clean:
	rm -rf build $(SITE) .pytest_cache
