# Two commands on a fresh machine with only Python 3.11+: `make run` and `make test`.
# Each creates .venv itself (re-installing only when pyproject.toml changes).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

CHROMIUM ?= /usr/bin/chromium

.PHONY: run test chromium screenshot lint clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

run: $(VENV)/.installed ## the service on 127.0.0.1:8000 with the sample data (ends by printing the page's address)
	$(BIN)/techmatch serve --host 127.0.0.1 --port 8000 --load-sample

test: $(VENV)/.installed chromium ## the whole test suite, browser tests included
	$(BIN)/python -m pytest

# The browser tests drive Debian's Chromium (never a browser download). Installed here when missing and we are
# root; otherwise say how. Without it the browser tests skip, except under CI (CI set), where they fail.
chromium:
	@if [ -x $(CHROMIUM) ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Chromium for the browser tests: apt-get install -y chromium chromium-driver"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver; \
	else \
		echo "Chromium is missing ($(CHROMIUM)): the browser tests will be skipped (they fail when CI is set)."; \
		echo "Install it with: sudo apt-get install -y chromium chromium-driver"; \
	fi

screenshot: $(VENV)/.installed chromium ## regenerate docs/screenshot.png (needs a CJK font, e.g. fonts-noto-cjk)
	$(BIN)/python -m tests.web.screenshot

lint: $(VENV)/.installed
	$(BIN)/ruff check matcher api tests benchmarks notebooks

clean:
	rm -rf $(VENV) .pytest_cache
