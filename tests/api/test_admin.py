"""Health (counts, index size, freshness), the background rebuild, the docs and the placeholder page."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import MakeClient


def test_health_reports_counts_index_and_freshness(seeded: TestClient) -> None:
    health = seeded.get("/health").json()
    assert health["status"] == "ok"
    assert health["records"] == {"achievements": 6, "demands": 3}
    assert health["index"]["achievements"]["documents"] == 6
    assert health["index"]["achievements"]["features"] > 0
    assert health["in_sync"] is True
    assert health["freshness"]["writes_since_refit"] == 2  # the two bulk imports
    assert health["freshness"]["rebuilding"] is False


def test_rebuild_refits_and_resets_freshness(seeded: TestClient) -> None:
    before = seeded.get("/health").json()["freshness"]
    answer = seeded.post("/index/rebuild", params={"wait": True})
    assert answer.status_code == 202
    assert answer.json()["started"] is True
    after = answer.json()["freshness"]
    assert after["writes_since_refit"] == 0 and after["refitted_at"] > before["refitted_at"]
    assert seeded.post("/match", json={"text": "锂电池隔膜"}).json()["matches"][0]["achievement"]["id"] == "a1"


def test_docs_carry_chinese_examples(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    spec = client.get("/openapi.json").json()
    body = spec["paths"]["/demands"]["post"]["requestBody"]["content"]["application/json"]
    assert "锂电池隔膜" in str(body["examples"])
    assert "求购锂电池隔膜" in str(spec["components"]["schemas"]["MatchRequest"])


def test_docs_say_which_operations_need_the_key(make_client: MakeClient) -> None:
    def secured(**settings: object) -> set[str]:
        spec = make_client(**settings).get("/openapi.json").json()
        return {f"{m.upper()} {p}" for p, ops in spec["paths"].items() for m, op in ops.items() if "security" in op}

    assert secured() == set()
    writes = secured(api_key="k")
    assert {"POST /demands", "DELETE /achievements/{id}", "POST /index/rebuild"} <= writes
    assert not any(op.startswith("GET") for op in writes) and "POST /match" not in writes
    assert {"GET /achievements", "POST /match"} <= secured(api_key="k", protect_reads=True)


def test_root_page_points_to_the_docs(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and 'href="/docs"' in page.text
