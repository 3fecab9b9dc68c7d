"""What a broker does on the page, as functions the tests and the screenshot command share."""

from __future__ import annotations

import json
from typing import Any

from matcher.samples import SAMPLE_DIR

SAMPLE_DEMAND_ID = "D-AG-003"
"""A sample demand (红心猕猴桃种苗组培快繁) with a region, a maturity and cooperation modes: reasons show."""

CARDS = "#result-list > li.card"


def sample_demand(id: str = SAMPLE_DEMAND_ID) -> dict[str, Any]:
    with open(SAMPLE_DIR / "demands.jsonl", encoding="utf-8") as lines:
        return next(record for record in map(json.loads, lines) if record["id"] == id)


def open_page(page: Any, base_url: str, path: str = "/") -> None:
    page.goto(base_url + path)
    page.wait_for_selector("#results-status .notice", state="attached")  # the modules have run


def fill_demand(page: Any, demand: dict[str, Any]) -> None:
    """Type a demand into the form, field by field, as a person would."""
    page.fill("#q-title", demand["title"])
    page.fill("#q-description", demand["description"])
    page.select_option("#q-field", demand["field"])
    page.fill("#q-region", demand["region"])
    page.select_option("#q-maturity", demand["maturity"] or "")
    for mode in demand["cooperation_modes"]:
        page.check(f"#q-modes input[value='{mode}']")
    page.fill("#q-money", "" if demand["budget"] is None else str(demand["budget"]))


def submit(page: Any) -> None:
    """Press 匹配 and wait for the answer (cards, or a message saying why there are none)."""
    page.click("#query-form button[type=submit]")
    settled(page)


def settled(page: Any) -> None:
    """Wait until the results area has its answer: not busy, and no 正在匹配 message."""
    page.wait_for_function(
        "() => !document.getElementById('result-list').hasAttribute('aria-busy')"
        " && !document.getElementById('results-status').textContent.includes('正在匹配')"
    )


def card_ids(page: Any) -> list[str]:
    return page.eval_on_selector_all(CARDS, "cards => cards.map(c => c.dataset.id)")


def post_sample_demand(page: Any, base_url: str) -> None:
    open_page(page, base_url)
    fill_demand(page, sample_demand())
    submit(page)
