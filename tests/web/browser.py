"""Debian's Chromium driven by Playwright: never a browser download, an empty profile, no network of its own.

The browser tests skip with a message saying how to install Chromium when it is absent, except when the
environment variable ``CI`` is set: then they fail, because a skipped check is not a passed one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
INSTALL_HINT = "install it with: sudo apt-get install -y chromium chromium-driver (or run `make test` as root)"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def missing() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not CHROMIUM.exists():
        return f"Chromium not found at {CHROMIUM}; {INSTALL_HINT}"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return 'the Python package playwright is missing; pip install -e ".[dev]"'
    return None


def require_browser() -> None:
    """Skip the calling test when the browser tests cannot run, or fail it under CI (``CI`` set)."""
    reason = missing()
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run under CI: {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}")


@contextmanager
def chromium(**context: Any) -> Iterator[Any]:
    """A Playwright browser context of /usr/bin/chromium with an empty, temporary profile."""
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="techmatch-chromium-")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch_persistent_context(
                profile, executable_path=str(CHROMIUM), headless=True, args=ARGS, locale="zh-CN", **context
            )
            try:
                yield browser
            finally:
                browser.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
