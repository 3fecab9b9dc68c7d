"""Regenerate the README's picture of the match page: ``python -m tests.web.screenshot [PATH]``.

Starts the app on a free loopback port with the sample data, posts the sample demand in Debian's Chromium
and writes a 1280×800 PNG (default ``docs/screenshot.png``). Chinese text needs a CJK font installed
(Debian: ``apt-get install fonts-noto-cjk``), or it shows as boxes.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tests.web.browser import chromium, missing
from tests.web.pages import post_sample_demand
from tests.web.server import running_app

DEFAULT = Path(__file__).resolve().parents[2] / "docs" / "screenshot.png"


def take(path: Path) -> None:
    with running_app() as base_url, chromium(viewport={"width": 1280, "height": 800}) as browser:
        page = browser.new_page()
        post_sample_demand(page, base_url)
        page.locator("#result-list > li.card").first.hover()  # its shared terms marked in the demand
        page.evaluate("document.activeElement.blur(); document.querySelector('.query-form').scrollTop = 0")
        page.evaluate("window.scrollTo(0, 0)")
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=path)


def main(argv: list[str]) -> int:
    reason = missing()
    if reason is not None:
        print(f"cannot take the screenshot: {reason}", file=sys.stderr)
        return 2
    path = Path(argv[0]) if argv else DEFAULT
    take(path)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
