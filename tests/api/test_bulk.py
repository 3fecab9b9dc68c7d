"""Bulk import: JSON lists and CSV/JSONL/XLSX files, every bad row reported, all stored or none."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook

from tests.api.conftest import MakeClient, as_json
from tests.conftest import ACHIEVEMENTS, DEMANDS

CSV = "编号,标题,描述,地区,成熟度,合作方式,价格\nc1,盐碱地改良剂,滨海盐碱地土壤改良剂,江苏省南通市,中试,技术转让、技术许可,面议\nc2,光伏清洗机器人,光伏板无水清洗机器人,广东省深圳市,产业化,技术转让,200\n"


def counts(client: TestClient) -> dict[str, int]:
    return client.get("/health").json()["records"]


def test_json_list_is_stored_and_matchable(client: TestClient) -> None:
    answer = client.post("/achievements:bulk", json=as_json(ACHIEVEMENTS))
    assert answer.json() == {"created": len(ACHIEVEMENTS), "updated": 0}
    assert client.post("/match", json={"text": "尾水氮磷"}).json()["matches"][0]["achievement"]["id"] == "a4"


def test_importing_again_updates_by_id_and_never_duplicates(client: TestClient) -> None:
    client.post("/demands:bulk", json=as_json(DEMANDS))
    changed = [{**row, "title": "改过的标题"} for row in as_json(DEMANDS)]
    assert client.post("/demands:bulk", json=changed).json() == {"created": 0, "updated": len(DEMANDS)}
    assert counts(client)["demands"] == len(DEMANDS)
    assert client.get("/demands/d2").json()["title"] == "改过的标题"


def test_every_bad_row_is_reported_and_nothing_is_stored(client: TestClient) -> None:
    rows = as_json(ACHIEVEMENTS[:2]) + [
        {"id": "b1", "description": "好的", "maturity": "量产"},
        {"id": "b2"},
        "not an object",
        {"id": "a1", "description": "重复的编号"},
    ]
    answer = client.post("/achievements:bulk", json=rows)
    assert answer.status_code == 422
    problems = {(p["row"], p["field"]): p["message"] for p in answer.json()["problems"]}
    assert problems == {
        (3, "maturity"): "'量产' is not one of 样品/小试/中试/产业化",
        (4, "description"): "is required",
        (5, ""): "expected an object, got str",
        (6, "id"): "duplicate id 'a1' (first at row 1)",
    }
    assert answer.json()["detail"].startswith("nothing was stored: body row 3: field 'maturity'")
    assert counts(client) == {"achievements": 0, "demands": 0}
    assert client.get("/health").json()["index"]["achievements"]["documents"] == 0


def test_csv_upload_with_chinese_headers(client: TestClient) -> None:
    answer = client.post("/achievements:bulk", files={"file": ("成果.csv", CSV.encode(), "text/csv")})
    assert answer.json() == {"created": 2, "updated": 0}
    stored = client.get("/achievements/c1").json()
    assert stored["cooperation_modes"] == ["技术转让", "技术许可"] and stored["price"] is None


def test_raw_csv_body(client: TestClient) -> None:
    answer = client.post("/achievements:bulk", content=CSV.encode(), headers={"content-type": "text/csv"})
    assert answer.json() == {"created": 2, "updated": 0}


def test_xlsx_upload(client: TestClient) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["需求编号", "需求名称", "需求描述", "预算"])
    sheet.append(["x1", "盐碱地改良", "需要滨海盐碱地改良技术", 50])
    sheet.append([1002, "光伏清洗", "光伏电站无水清洗", "面议"])
    data = io.BytesIO()
    book.save(data)
    answer = client.post("/demands:bulk", files={"file": ("需求.xlsx", data.getvalue())})
    assert answer.json() == {"created": 2, "updated": 0}
    assert client.get("/demands/1002").json()["budget"] is None


def test_bad_file_rows_name_the_upload(client: TestClient) -> None:
    bad = CSV + "c3,,缺少成熟度以外都好,湖北,量产,,\n"
    answer = client.post("/achievements:bulk", files={"file": ("成果.csv", bad.encode())})
    assert answer.status_code == 422
    assert answer.json()["problems"] == [
        {"source": "成果.csv", "row": 4, "field": "maturity", "message": "'量产' is not one of 样品/小试/中试/产业化"}
    ]
    assert counts(client)["achievements"] == 0


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"json": {"id": "a1"}}, "expected a JSON list of records, got dict"),
        ({"json": []}, "contains no records"),
        ({"content": b"[{", "headers": {"content-type": "application/json"}}, "not valid JSON"),
        ({"files": {"file": ("a.txt", b"x")}}, "unknown file type '.txt'"),
        ({"files": {"file": ("a.xlsx", b"not a workbook")}}, "not a readable .xlsx workbook"),
        ({"data": {"other": "x"}, "files": {"nofile": ("a.csv", b"")}}, "is required"),
    ],
    ids=["object", "empty", "broken-json", "txt", "bad-xlsx", "no-file-field"],
)
def test_unreadable_bodies_are_422(client: TestClient, kwargs: dict, message: str) -> None:
    answer = client.post("/achievements:bulk", **kwargs)
    assert answer.status_code == 422, answer.text
    assert message in answer.json()["problems"][0]["message"]


def test_unsupported_content_type_is_415(client: TestClient) -> None:
    answer = client.post("/achievements:bulk", content=b"id,description", headers={"content-type": "text/plain"})
    assert answer.status_code == 415


def test_batch_over_the_limit_is_413_and_stores_nothing(make_client: MakeClient) -> None:
    client = make_client(max_batch=2)
    answer = client.post("/achievements:bulk", json=as_json(ACHIEVEMENTS[:3]))
    assert answer.status_code == 413
    assert "TECHMATCH_MAX_BATCH" in answer.json()["detail"]
    assert counts(client)["achievements"] == 0
    assert client.post("/achievements:bulk", json=as_json(ACHIEVEMENTS[:2])).status_code == 200


def test_text_over_the_limit_is_413_naming_rows_and_fields(make_client: MakeClient) -> None:
    client = make_client(max_text_chars=25)
    answer = client.post("/achievements:bulk", json=as_json(ACHIEVEMENTS[:3]))
    assert answer.status_code == 413
    assert {(p["row"], p["field"]) for p in answer.json()["problems"]} == {(1, "description"), (3, "description")}
    assert counts(client)["achievements"] == 0


def test_nul_characters_are_refused(client: TestClient) -> None:
    answer = client.post("/achievements:bulk", json=[{"id": "n1", "description": "有\u0000空字符"}])
    assert answer.status_code == 422
    assert answer.json()["problems"][0]["field"] == "description"
