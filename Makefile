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

run: $(VENV)/.installed ## the service on 127.0.0.1:8000 with the sample data (prints where /docs and / are)
	$(BIN)/techmatch serve --host 127.0.0.1 --port 8000 --load-sample

test: $(VENV)/.installed ## the whole test suite
	$(BIN)/python -m pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check matcher api tests benchmarks notebooks

clean:
	rm -rf $(VENV) .pytest_cache
