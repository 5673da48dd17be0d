# The two commands of the README. Each creates .venv when missing and installs the project.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
EXPORTS ?= examples/exports
DB      ?= build/demo.duckdb

.PHONY: demo test install clean

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: install
	mkdir -p build
	$(BIN)/aemetrics ingest --exports $(EXPORTS) --db $(DB)

test: install
	$(BIN)/python -m pytest -q

clean:
	rm -rf build site .pytest_cache
