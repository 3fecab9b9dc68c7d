"""科技成果 routes: a stored or changed achievement is matchable at once; the reverse direction."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import ids

GRAPHENE = {
    "id": "a-new",
    "title": "石墨烯导热膜量产工艺",
    "description": "高导热石墨烯薄膜的连续化制备，面向手机散热。",
    "region": "湖北省武汉市",
    "maturity": "产业化",
}


def test_posted_achievement_shows_up_in_matches_at_once(seeded: TestClient) -> None:
    answer = seeded.post("/achievements", json=GRAPHENE)
    assert answer.status_code == 201
    assert answer.json()["id"] == "a-new"
    matches = seeded.post("/match", json={"text": "手机散热用的石墨烯导热膜"}).json()
    assert ids(matches)[0] == "a-new"
    demand = {"id": "d-new", "description": "求购石墨烯导热膜技术"}
    assert ids(seeded.post("/demands", json=demand).json())[0] == "a-new"


def test_posting_an_existing_id_is_409_and_changes_nothing(seeded: TestClient) -> None:
    before = seeded.get("/health").json()["freshness"]["writes_since_refit"]
    answer = seeded.post("/achievements", json={**GRAPHENE, "id": "a1"})
    assert answer.status_code == 409
    assert "PUT" in answer.json()["detail"]
    assert seeded.get("/achievements/a1").json()["title"] == "湿法锂电池隔膜制备技术"
    assert seeded.get("/health").json()["freshness"]["writes_since_refit"] == before  # the index was not touched


def test_replaced_achievement_is_matched_by_its_new_text(seeded: TestClient) -> None:
    assert seeded.put("/achievements/a3", json={**GRAPHENE, "id": "a3"}).status_code == 200
    assert ids(seeded.post("/match", json={"text": "石墨烯导热膜"}).json())[0] == "a3"
    assert "a3" not in ids(seeded.post("/match", json={"text": "耐盐碱水稻品种"}).json())


def test_deleted_achievement_is_never_matched_again(seeded: TestClient) -> None:
    assert "a1" in ids(seeded.post("/match", json={"text": "锂电池隔膜"}).json())
    assert seeded.delete("/achievements/a1").status_code == 204
    assert "a1" not in ids(seeded.post("/match", json={"text": "锂电池隔膜"}).json())


def test_demands_for_a_stored_achievement(seeded: TestClient) -> None:
    answer = seeded.get("/achievements/a6/matches", params={"k": 2})
    assert answer.status_code == 200
    body = answer.json()
    assert body["achievement"]["id"] == "a6"
    assert ids(body, "demand")[0] == "d3"
    assert len(body["matches"]) <= 2
    assert "同一地区: 湖北" in body["matches"][0]["explanation"]["reasons"]


def test_reverse_filters_apply(seeded: TestClient) -> None:
    answer = seeded.get("/achievements/a6/matches", params={"region": "广东"}).json()
    assert answer["matches"] == []
