"""End to end in a real headless Chromium: the brokers' page over the running service with the sample data."""

from __future__ import annotations

import csv
import io
import struct
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from api.shortlist import HEADERS
from tests.web.conftest import API_KEY
from tests.web.pages import (
    CARDS,
    card_ids,
    fill_demand,
    open_page,
    post_sample_demand,
    sample_demand,
    settled,
    submit,
)

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}


def png_size(path: Path) -> tuple[int, int]:
    width, height = struct.unpack(">II", path.read_bytes()[16:24])
    return width, height


def texts(page: Any, selector: str) -> list[str]:
    return page.eval_on_selector_all(selector, "nodes => nodes.map(n => n.textContent.trim())")


def test_a_sample_demand_gets_ranked_cards_with_reasons_and_terms_marked_on_both_sides(
    page: Any, base_url: str, screenshots: Path
) -> None:
    post_sample_demand(page, base_url)
    cards = page.locator(CARDS)
    assert cards.count() >= 5
    scores = [float(s) for s in texts(page, f"{CARDS} .score strong")]
    assert scores == sorted(scores, reverse=True)
    for index in range(cards.count()):
        card = cards.nth(index)
        assert card.locator(".reasons li").count() >= 1
        assert card.locator("h3, .facts").first.inner_text().strip()
    assert any(r.startswith("同一地区") for r in texts(page, f"{CARDS} .reasons li"))
    assert any(r.startswith("成熟度满足") for r in texts(page, f"{CARDS} .reasons li"))
    assert any(r.startswith("合作方式一致") for r in texts(page, f"{CARDS} .reasons li"))
    term = cards.first.locator(".terms mark").first.inner_text()
    assert any(term in marked for marked in cards.first.locator("h3 mark, .card-text mark").all_inner_texts())
    assert any(term in marked for marked in texts(page, "#echo-title mark, #echo-text mark"))  # the demand's text
    assert cards.first.locator("h3 a").inner_text().startswith("红心猕猴桃")

    page.screenshot(path=screenshots / "match-1280x800.png")
    page.set_viewport_size(PHONE)
    page.locator("#results-status").scroll_into_view_if_needed()
    page.evaluate("document.getElementById('results-status').scrollIntoView()")
    page.screenshot(path=screenshots / "match-390x844.png")
    assert png_size(screenshots / "match-1280x800.png") == (1280, 800)
    assert png_size(screenshots / "match-390x844.png") == (390, 844)


def test_a_search_box_query_shows_words_and_synonyms_never_the_names_of_score_parts(page: Any, base_url: str) -> None:
    open_page(page, base_url)
    page.fill("#q-description", "土豆晚疫病怎么防")  # short: coverage and synonyms (土豆 ≈ 马铃薯) join the score
    submit(page)
    shown = texts(page, f"{CARDS} .terms mark")
    assert "晚疫病" in shown and "≈马铃薯" in shown
    assert not [term for term in shown if "（" in term]  # （覆盖度）, （单字）, ≈（单字） are parts, not terms
    first = page.locator(CARDS).first
    assert "马铃薯" in first.locator("h3 mark, .card-text mark").all_inner_texts()  # the synonym marked in its text


def test_changing_a_filter_updates_the_list_and_clearing_restores_it(page: Any, base_url: str) -> None:
    post_sample_demand(page, base_url)
    before = card_ids(page)
    page.select_option("#f-maturity", "产业化")
    settled(page)
    after = card_ids(page)
    assert after != before and len(after) >= 5
    assert set(texts(page, f"{CARDS} .facts div:has(dt:text-is('成熟度')) dd")) == {"产业化"}
    page.click("#match-filters button[type=reset]")
    # the filtered list may be as long as the first one: wait for other cards, not for another length
    page.wait_for_function(
        "ids => [...document.querySelectorAll('#result-list > li.card')].map(c => c.dataset.id).join() !== ids.join()",
        arg=after,
    )
    settled(page)
    assert card_ids(page) == before


def test_reverse_direction_finds_the_demands_that_want_an_achievement(page: Any, base_url: str) -> None:
    open_page(page, base_url)
    page.check("input[name=direction][value=demands]")
    assert page.inner_text("#form-heading") == "科技成果"
    page.click("#fill-example")
    submit(page)
    assert page.locator(CARDS).count() >= 1
    assert page.get_attribute(f"{CARDS} >> nth=0 >> h3 a", "href").startswith("#/record/demands/")
    assert page.inner_text("#echo-heading") == "成果原文"


def test_browse_searches_pages_and_opens_a_record_with_its_matches(page: Any, base_url: str) -> None:
    open_page(page, base_url, "/#/browse")
    page.wait_for_selector("#browse-status .ok")
    assert "共 310 条科技成果" in page.inner_text("#browse-status")
    first_page = texts(page, "#browse-list .id")
    page.click("#page-next")
    page.wait_for_selector("#browse-status >> text=第 2 /")
    assert texts(page, "#browse-list .id") != first_page
    page.check("input[name=kind][value=demands]")
    page.wait_for_selector("#browse-status >> text=条技术需求")
    page.fill("#b-q", "猕猴桃")
    page.press("#b-q", "Enter")
    page.wait_for_selector("#browse-status >> text=共 1 条技术需求")
    page.click("#browse-list a")
    page.wait_for_selector("#record-matches > li.card")
    assert page.inner_text("#record-heading") == sample_demand()["title"]
    assert page.locator("#record-matches > li.card").count() >= 5
    assert page.locator("#record-text mark").count() > 0
    page.click("#record-back")
    page.wait_for_selector("#browse-status >> text=共 1 条技术需求")
    assert page.input_value("#b-q") == "猕猴桃"


def test_a_shortlist_exports_as_xlsx_and_csv_with_one_row_per_ticked_pair(page: Any, base_url: str) -> None:
    post_sample_demand(page, base_url)
    ticked = card_ids(page)[:3]
    for index in range(3):
        page.locator(f"{CARDS} >> nth={index} >> .pick input").check()
    assert page.inner_text("#shortlist-count") == "3"
    page.click("a[data-view=shortlist]")
    assert page.locator("#shortlist-table tbody tr").count() == 3

    with page.expect_download() as download:
        page.click("#export-xlsx")
    assert download.value.suggested_filename.endswith(".xlsx")
    with open(download.value.path(), "rb") as file:
        sheet = load_workbook(file).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == HEADERS and len(rows) == 4
    assert [row[HEADERS.index("成果编号")] for row in rows[1:]] == ticked
    assert {row[HEADERS.index("需求标题")] for row in rows[1:]} == {sample_demand()["title"]}
    assert all(row[HEADERS.index("匹配理由")] for row in rows[1:])

    with page.expect_download() as download:
        page.click("#export-csv")
    assert download.value.suggested_filename.endswith(".csv")
    lines = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert lines[0] == HEADERS and [line[HEADERS.index("成果编号")] for line in lines[1:]] == ticked
    assert "已导出 3 条" in page.inner_text("#shortlist-status")

    page.emulate_media(media="print")
    assert page.locator("#shortlist-table").is_visible() and not page.locator("#export-xlsx").is_visible()
    assert not page.locator(".top nav").is_visible()
    page.emulate_media(media="screen")
    page.click("#shortlist-table tbody tr >> nth=0 >> button")
    assert page.inner_text("#shortlist-count") == "2"


def test_storing_a_demand_asks_for_the_key_once_and_keeps_it_for_the_session_only(page: Any, base_url: str) -> None:
    open_page(page, base_url)
    page.click("#fill-example")
    page.click("#save-record")
    page.wait_for_selector("#key-dialog[open]")
    page.fill("#api-key", "wrong")
    page.click("#key-dialog button[value=ok]")
    page.wait_for_selector("#key-note >> text=密钥不正确")
    page.fill("#api-key", API_KEY)
    page.press("#api-key", "Enter")
    page.wait_for_selector("#form-status .ok")
    saved = page.inner_text("#form-status a").removeprefix("查看 ")
    assert page.evaluate("sessionStorage.getItem('techmatch.apiKey')") == API_KEY
    assert API_KEY not in page.evaluate("JSON.stringify(localStorage)")
    assert page.request.get(f"{base_url}/demands/{saved}").json()["title"] == "化工园区高盐废水COD深度处理"

    page.click("#save-record")  # the key is not asked again
    page.wait_for_function("id => !document.getElementById('form-status').textContent.includes(id)", arg=saved)
    page.wait_for_selector("#form-status .ok")
    assert not page.locator("#key-dialog").is_visible()


def test_errors_and_empty_results_are_sentences_never_a_blank_page(page: Any, base_url: str) -> None:
    open_page(page, base_url)
    page.click("#query-form button[type=submit]")
    assert "请填写描述" in page.inner_text("#form-status .error")
    assert page.get_attribute("#q-description", "aria-invalid") == "true"
    assert page.evaluate("document.activeElement.id") == "q-description"

    fill_demand(page, sample_demand())
    page.select_option("#f-field", "航空航天")
    page.select_option("#f-region", "西藏")
    submit(page)
    assert "没有找到匹配的成果" in page.inner_text("#results-status")
    page.click("#results-status button")  # 清除筛选
    page.wait_for_selector(CARDS)

    page.route("**/demands:match*", lambda route: route.fulfill(status=500, body="Internal Server Error"))
    submit(page)
    assert "服务出错（HTTP 500）" in page.inner_text("#results-status .error")
    page.unroute("**/demands:match*")
    page.route("**/demands:match*", lambda route: route.abort())
    submit(page)
    assert "无法连接到 techmatch 服务" in page.inner_text("#results-status .error")
    page.unroute("**/demands:match*")

    page.goto(base_url + "/#/record/achievements/NO-SUCH-ID")
    page.wait_for_selector("#record-status .error")
    assert "没有编号为 NO-SUCH-ID 的科技成果" in page.inner_text("#record-status")
    assert "{" not in page.inner_text("main")


def test_every_field_has_a_label_and_the_keyboard_alone_can_match(page: Any, base_url: str) -> None:
    open_page(page, base_url)
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('input, select, textarea')]
             .filter(el => el.type !== 'hidden' && !el.labels.length && !el.getAttribute('aria-label'))
             .map(el => el.id || el.name)"""
    )
    assert unlabelled == []
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "跳到主要内容"
    page.focus("#q-description")
    page.keyboard.type("猕猴桃种苗组培快繁，防溃疡病")
    for _ in range(40):  # Tab on to the 匹配 button
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type === 'submit' && document.activeElement.closest('#query-form')"):
            break
    page.keyboard.press("Enter")
    settled(page)
    assert page.locator(CARDS).count() >= 5
    page.focus(f"{CARDS} >> nth=0 >> .pick input")
    page.keyboard.press("Space")
    assert page.inner_text("#shortlist-count") == "1"


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1280", "390"])
def test_nothing_overflows_sideways(page: Any, base_url: str, viewport: dict[str, int]) -> None:
    page.set_viewport_size(viewport)
    post_sample_demand(page, base_url)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page.click("a[data-view=browse]")
    page.wait_for_selector("#browse-status .ok")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
