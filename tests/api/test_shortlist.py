"""The shortlist file (api.shortlist) and POST /shortlist/export: one row per pair, XLSX and CSV alike."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from api.shortlist import HEADERS, Shortlist, rows, to_csv, to_xlsx
from tests.api.conftest import MakeClient, as_json
from tests.conftest import ACHIEVEMENTS, DEMANDS


def pair(demand: int = 0, achievement: int = 0, **extra: Any) -> dict[str, Any]:
    return {
        "demand": as_json(DEMANDS)[demand],
        "achievement": as_json(ACHIEVEMENTS)[achievement],
        "score": 0.61234,
        "reasons": ["同一地区: 湖北", "合作方式一致: 技术转让"],
        "terms": ["锂电池隔膜", "湿法"],
    } | extra


def column(values: list[Any], name: str) -> Any:
    return values[HEADERS.index(name)]


def read_xlsx(content: bytes) -> list[list[Any]]:
    return [list(row) for row in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)]


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith("\ufeff".encode())  # Excel reads UTF-8 only with the mark
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_rows_hold_both_sides_of_each_pair() -> None:
    (row,) = rows(Shortlist.model_validate({"pairs": [pair()]}))
    assert column(row, "需求编号") == "d1" and column(row, "成果编号") == "a1"
    assert column(row, "成果单位") == "武汉理工大学" and column(row, "需求企业") == "襄阳某新能源公司"
    assert column(row, "匹配分") == 0.6123 and column(row, "报价（万元）") == 80
    assert column(row, "可提供的合作方式") == "技术转让、技术许可"
    assert column(row, "匹配理由") == "同一地区: 湖北；合作方式一致: 技术转让"
    assert column(row, "共同术语") == "锂电池隔膜、湿法"


def test_xlsx_and_csv_agree() -> None:
    shortlist = Shortlist.model_validate({"pairs": [pair(0, 0), pair(2, 5), pair(1, 1, score=None)]})
    sheet, table = read_xlsx(to_xlsx(shortlist)), read_csv(to_csv(shortlist))
    assert sheet[0] == table[0] == HEADERS
    assert (
        [column(r, "成果编号") for r in sheet[1:]] == [column(r, "成果编号") for r in table[1:]] == ["a1", "a6", "a2"]
    )
    assert column(sheet[3], "报价（万元）") == column(table[3], "报价（万元）") == "面议"
    assert column(table[1], "预算（万元）") == "100" and column(table[3], "匹配分") == ""


def test_text_that_looks_like_a_formula_stays_text() -> None:
    demand = as_json(DEMANDS)[0] | {"title": '=HYPERLINK("http://evil")', "contact": "\x07bell"}
    shortlist = Shortlist.model_validate({"pairs": [pair(demand=0) | {"demand": demand}]})
    cell = load_workbook(io.BytesIO(to_xlsx(shortlist))).active.cell(row=2, column=HEADERS.index("需求标题") + 1)
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://evil")'
    assert column(read_xlsx(to_xlsx(shortlist))[1], "需求联系人") == "bell"  # control characters dropped
    assert column(read_csv(to_csv(shortlist))[1], "需求标题") == '\'=HYPERLINK("http://evil")'


@pytest.mark.parametrize("format, media", [("xlsx", "spreadsheetml"), ("csv", "text/csv")])
def test_export_answers_a_named_file(client: TestClient, format: str, media: str) -> None:
    answer = client.post(f"/shortlist/export?format={format}", json={"pairs": [pair(), pair(2, 5)]})
    assert answer.status_code == 200
    assert media in answer.headers["content-type"]
    assert f'.{format}"' in answer.headers["content-disposition"]
    table = read_xlsx(answer.content) if format == "xlsx" else read_csv(answer.content)
    assert len(table) == 3


def test_xlsx_is_the_default(client: TestClient) -> None:
    answer = client.post("/shortlist/export", json={"pairs": [pair()]})
    assert read_xlsx(answer.content)[0] == HEADERS


@pytest.mark.parametrize(
    "body, field",
    [
        ({"pairs": []}, "pairs"),
        ({"pairs": [pair() | {"demand": {"id": "d"}}]}, "pairs.demand.description"),
        ({"pairs": [pair() | {"score": "high"}]}, "pairs.score"),
    ],
)
def test_bad_shortlists_are_422_naming_the_field(client: TestClient, body: dict, field: str) -> None:
    answer = client.post("/shortlist/export", json=body)
    assert answer.status_code == 422
    assert answer.json()["problems"][0]["field"] == field


def test_unknown_format_is_422(client: TestClient) -> None:
    answer = client.post("/shortlist/export?format=pdf", json={"pairs": [pair()]})
    assert answer.status_code == 422 and answer.json()["problems"][0]["field"] == "format"


def test_more_pairs_than_a_batch_is_413(make_client: MakeClient) -> None:
    client = make_client(max_batch=2)
    assert client.post("/shortlist/export", json={"pairs": [pair()] * 3}).status_code == 413
