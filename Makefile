# Two commands on a fresh machine with only Python 3.11+: `make run` and `make test`.
# Each creates .venv itself (re-installing only when pyproject.toml changes).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test lint clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

run: $(VENV)/.installed ## the main job on the bundled sample data
	$(BIN)/techmatch demo

test: $(VENV)/.installed ## the whole test suite
	$(BIN)/python -m pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check matcher api tests benchmarks notebooks

clean:
	rm -rf $(VENV) .pytest_cache
