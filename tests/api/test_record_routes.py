"""List, get, replace and delete: the same routes for achievements and demands."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import as_json
from tests.conftest import ACHIEVEMENTS, DEMANDS

KINDS = pytest.mark.parametrize(
    "path, records", [("/achievements", ACHIEVEMENTS), ("/demands", DEMANDS)], ids=["achievements", "demands"]
)


@KINDS
def test_get_returns_the_stored_record(seeded: TestClient, path: str, records: list) -> None:
    answer = seeded.get(f"{path}/{records[0].id}")
    assert answer.status_code == 200
    assert answer.json() == records[0].model_dump(mode="json")


@KINDS
def test_unknown_id_is_404_everywhere(seeded: TestClient, path: str, records: list) -> None:
    body = records[0].model_copy(update={"id": "nope"}).model_dump(mode="json")
    for answer in (
        seeded.get(f"{path}/nope"),
        seeded.get(f"{path}/nope/matches"),
        seeded.put(f"{path}/nope", json=body),
        seeded.delete(f"{path}/nope"),
    ):
        assert answer.status_code == 404, answer.text
        assert "nope" in answer.json()["detail"]


@KINDS
def test_list_pages_in_id_order(seeded: TestClient, path: str, records: list) -> None:
    everything = sorted(r.id for r in records)
    first = seeded.get(path, params={"page_size": 2}).json()
    second = seeded.get(path, params={"page_size": 2, "page": 2}).json()
    assert first["count"] == second["count"] == len(records)
    assert [r["id"] for r in first["data"] + second["data"]] == everything[:4]
    assert seeded.get(path, params={"page": 50}).json()["data"] == []


def test_list_filters_follow_the_matching_rules(seeded: TestClient) -> None:
    def listed(**params: str) -> list[str]:
        answer = seeded.get("/achievements", params=params)
        assert answer.status_code == 200, answer.text
        return [r["id"] for r in answer.json()["data"]]

    assert listed(region="湖北") == ["a1", "a3", "a4", "a6"]  # a province selects its cities
    assert listed(region="潜江") == ["a4"]
    assert listed(field="现代农业") == ["a3", "a4"]  # a parent field selects its sub-fields
    assert listed(maturity="中试") == ["a1", "a4"]
    assert listed(min_maturity="中试") == ["a1", "a3", "a4", "a6"]
    assert listed(q="隔膜") == ["a1", "a2"]  # title, description or keywords
    assert listed(q="rf-soi") == ["a5"]  # case does not matter
    assert listed(q="100%") == []  # % is a character, not a wildcard
    assert listed(region="湖北", field="节能环保") == ["a6"]


def test_list_rejects_unknown_maturity(seeded: TestClient) -> None:
    answer = seeded.get("/achievements", params={"maturity": "量产"})
    assert answer.status_code == 422
    assert answer.json()["problems"][0]["field"] == "maturity"


@KINDS
def test_put_replaces_and_delete_removes(seeded: TestClient, path: str, records: list) -> None:
    changed = records[1].model_copy(update={"title": "新的标题"}).model_dump(mode="json")
    assert seeded.put(f"{path}/{records[1].id}", json=changed).json()["title"] == "新的标题"
    assert seeded.get(f"{path}/{records[1].id}").json()["title"] == "新的标题"
    assert seeded.delete(f"{path}/{records[1].id}").status_code == 204
    assert seeded.get(f"{path}/{records[1].id}").status_code == 404
    assert seeded.get(path).json()["count"] == len(records) - 1


def test_put_with_another_id_in_the_body_is_422(seeded: TestClient) -> None:
    answer = seeded.put("/achievements/a1", json=ACHIEVEMENTS[1].model_dump(mode="json"))
    assert answer.status_code == 422
    assert answer.json()["problems"] == [
        {"source": "body", "row": None, "field": "id", "message": "'a2' differs from the id in the path ('a1')"}
    ]


def test_records_round_trip_every_field(client: TestClient) -> None:
    demand = {**as_json(DEMANDS)[0], "deadline": "2025-12-31", "contact": "王经理", "owner_type": "企业"}
    assert client.post("/demands", json=demand).status_code == 201
    assert client.get("/demands/d1").json() == demand


def test_nul_characters_anywhere_are_never_a_server_error(seeded: TestClient) -> None:
    """PostgreSQL refuses NUL in text; SQLite takes it: either way the answer is a 2xx or a 4xx."""
    answers = [
        seeded.get(url)
        for url in ("/achievements?q=%00", "/achievements?region=a%00", "/achievements/%00", "/demands/a%00/matches")
    ]
    answers += [
        seeded.delete("/achievements/%00"),
        seeded.put("/demands/%00", json={"id": "\u0000", "description": "x"}),
        seeded.post("/match", json={"text": "隔膜\u0000", "filters": {"region": "\u0000"}}),
    ]
    assert all(answer.status_code < 500 for answer in answers), [a.status_code for a in answers]
