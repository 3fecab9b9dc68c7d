"""技术需求 routes: post a demand, get ranked achievements with explanations; re-rank a stored one."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import ids

DEMAND = {
    "id": "d-new",
    "title": "求购湿法锂电池隔膜工艺",
    "description": "计划新建隔膜生产线，需要成熟的湿法工艺。",
    "region": "湖北省襄阳市",
    "maturity": "中试",
    "cooperation_modes": ["技术转让"],
}


def test_post_demand_stores_it_and_answers_ranked_matches(seeded: TestClient) -> None:
    answer = seeded.post("/demands", json=DEMAND)
    assert answer.status_code == 201
    body = answer.json()
    assert body["demand"]["id"] == "d-new"
    assert seeded.get("/demands/d-new").status_code == 200
    scores = [m["score"] for m in body["matches"]]
    assert scores == sorted(scores, reverse=True)
    best = body["matches"][0]
    assert best["achievement"]["id"] == "a1"
    assert best["achievement"]["title"] == "湿法锂电池隔膜制备技术"
    terms = best["explanation"]["terms"]
    assert {"term", "weight"} == set(terms[0])
    assert "隔膜" in " ".join(t["term"] for t in terms)
    assert sum(t["weight"] for t in terms) == pytest.approx(best["text_score"], abs=1e-4)
    assert best["score"] == pytest.approx(best["text_score"] + sum(best["explanation"]["boosts"].values()), abs=1e-5)
    assert "同一地区: 湖北" in best["explanation"]["reasons"]
    assert "合作方式一致: 技术转让" in best["explanation"]["reasons"]


def test_post_demand_takes_k_and_filters_as_query(seeded: TestClient) -> None:
    body = seeded.post("/demands", params={"region": "广东", "k": 5}, json=DEMAND).json()
    assert ids(body) == ["a2"]
    body = seeded.post("/demands", params={"k": 1}, json={**DEMAND, "id": "d-other"}).json()
    assert ids(body) == ["a1"]
    body = seeded.post("/demands", params={"min_maturity": "产业化"}, json={**DEMAND, "id": "d-3"}).json()
    assert "a1" not in ids(body)


def test_stored_demand_is_reranked(seeded: TestClient) -> None:
    body = seeded.get("/demands/d2/matches", params={"k": 1}).json()
    assert body["demand"]["id"] == "d2"
    assert ids(body) == ["a4"]
    equity = seeded.get("/demands/d1/matches", params={"mode": ["作价入股", "技术服务"]}).json()
    assert set(ids(equity)) == {"a4", "a5"}  # the only ones offering these modes


def test_demand_matches_follow_a_changed_achievement(seeded: TestClient) -> None:
    assert seeded.delete("/achievements/a4").status_code == 204
    assert "a4" not in ids(seeded.get("/demands/d2/matches").json())


@pytest.mark.parametrize("k", [0, 101, "many"])
def test_k_out_of_range_is_422(seeded: TestClient, k: object) -> None:
    answer = seeded.get("/demands/d1/matches", params={"k": k})
    assert answer.status_code == 422
    assert answer.json()["problems"][0]["field"] == "k"
