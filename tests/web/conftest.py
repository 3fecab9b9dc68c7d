"""Browser fixtures: one app (sample data, an API key set) and one Chromium for the module; a fresh tab per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.browser import chromium, require_browser
from tests.web.server import running_app

API_KEY = "web-test-key"


@pytest.fixture(scope="session")
def base_url() -> Iterator[str]:
    with running_app(api_key=API_KEY) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    require_browser()
    with chromium(viewport={"width": 1280, "height": 800}, accept_downloads=True) as context:
        context.set_default_timeout(15_000)
        yield context


@pytest.fixture
def page(browser: Any, base_url: str) -> Iterator[Any]:
    """A new tab; the shortlist (localStorage) is emptied so tests do not see each other's picks."""
    tab = browser.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.goto(base_url + "/static/app.css")
    tab.evaluate("localStorage.clear()")
    yield tab
    tab.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("screenshots")
