"""POST /demands:match and /achievements:match: a whole record ranked (with its reasons), nothing stored."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import MakeClient, as_json, ids
from tests.conftest import ACHIEVEMENTS, DEMANDS

DRAFT = {
    "id": "草稿-1",
    "title": "求购锂电池隔膜湿法生产技术",
    "description": "计划建设锂电池隔膜生产线，需要湿法工艺，热收缩率要低。",
    "region": "湖北省襄阳市",
    "maturity": "中试",
    "cooperation_modes": ["技术转让"],
    "budget": 100,
}


def test_a_draft_demand_is_ranked_with_reasons_and_not_stored(seeded: TestClient) -> None:
    before = seeded.get("/health").json()["records"]
    answer = seeded.post("/demands:match", json=DRAFT)
    assert answer.status_code == 200
    body = answer.json()
    assert body["demand"]["id"] == "草稿-1" and ids(body)[0] == "a1"
    reasons = body["matches"][0]["explanation"]["reasons"]
    assert "同一地区: 湖北" in reasons and "合作方式一致: 技术转让" in reasons
    assert any(r.startswith("成熟度满足") for r in reasons)
    assert seeded.get("/health").json()["records"] == before
    assert seeded.get("/demands/草稿-1").status_code == 404


def test_filters_and_k_are_query_parameters(seeded: TestClient) -> None:
    assert ids(seeded.post("/demands:match?region=广东", json=DRAFT).json()) == ["a2"]
    assert len(seeded.post("/demands:match?k=1", json=DRAFT).json()["matches"]) == 1


def test_a_draft_achievement_finds_the_demands_that_want_it(seeded: TestClient) -> None:
    achievement = as_json(ACHIEVEMENTS)[5] | {"id": "草稿-2"}  # the COD treatment
    body = seeded.post("/achievements:match", json=achievement).json()
    assert body["achievement"]["id"] == "草稿-2"
    assert ids(body, "demand")[0] == "d3"
    assert "同一地区: 湖北" in body["matches"][0]["explanation"]["reasons"]


def test_bad_drafts_are_422_naming_the_field(seeded: TestClient) -> None:
    answer = seeded.post("/demands:match", json=DRAFT | {"maturity": "量产"})
    assert answer.status_code == 422
    assert answer.json()["problems"][0]["field"] == "maturity"
    assert seeded.post("/achievements:match", json={"id": "x", "description": ""}).status_code == 422


def test_drafts_are_reads_no_key_needed(make_client: MakeClient) -> None:
    client = make_client(api_key="secret")
    client.post("/demands:bulk", json=as_json(DEMANDS), headers={"X-API-Key": "secret"})
    assert client.post("/achievements:match", json=as_json(ACHIEVEMENTS)[0]).status_code == 200
    protected = make_client(api_key="secret", protect_reads=True)
    assert protected.post("/demands:match", json=DRAFT).status_code == 401
    assert protected.post("/demands:match", json=DRAFT, headers={"X-API-Key": "secret"}).status_code == 200
