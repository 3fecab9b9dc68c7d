"""POST /match: an ad hoc text against either side; nothing is stored."""

from __future__ import annotations

import anyio.to_thread
import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import MakeClient, ids


def test_match_ranks_achievements_and_stores_nothing(seeded: TestClient) -> None:
    before = seeded.get("/health").json()["records"]
    answer = seeded.post("/match", json={"text": "化工废水COD深度处理", "k": 3})
    assert answer.status_code == 200
    body = answer.json()
    assert ids(body)[0] == "a6"
    assert len(body["matches"]) <= 3
    assert body["matches"][0]["explanation"]["terms"][0]["term"]
    assert seeded.get("/health").json()["records"] == before


def test_match_demands_direction(seeded: TestClient) -> None:
    body = seeded.post("/match", json={"text": "稻虾共作尾水生态净化", "direction": "demands"}).json()
    assert ids(body, "demand")[0] == "d2"


def test_match_filters_in_the_body(seeded: TestClient) -> None:
    body = seeded.post("/match", json={"text": "锂电池隔膜", "filters": {"region": "广东"}}).json()
    assert ids(body) == ["a2"]
    body = seeded.post("/match", json={"text": "锂电池隔膜", "filters": {"max_price": 50}}).json()
    assert "a1" not in ids(body) and "a2" in ids(body)  # a1 costs 80 万元; a2 is 面议


def test_match_on_an_empty_index_is_empty(client: TestClient) -> None:
    assert client.post("/match", json={"text": "锂电池隔膜"}).json() == {"matches": []}


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "text"),
        ({"text": ""}, "text"),
        ({"text": "隔膜", "k": 0}, "k"),
        ({"text": "隔膜", "direction": "sideways"}, "direction"),
        ({"text": "隔膜", "filters": {"min_maturity": "量产"}}, "filters.min_maturity"),
        ({"text": "隔膜", "filters": {"max_price": -1}}, "filters.max_price"),
    ],
)
def test_bad_match_bodies_are_422_naming_the_field(seeded: TestClient, body: dict, field: str) -> None:
    answer = seeded.post("/match", json=body)
    assert answer.status_code == 422
    assert answer.json()["problems"][0]["field"] == field


def test_text_over_the_limit_is_413(make_client: MakeClient) -> None:
    client = make_client(max_text_chars=10)
    answer = client.post("/match", json={"text": "锂电池隔膜" * 3})
    assert answer.status_code == 413
    assert answer.json()["problems"] == [
        {"source": "body", "row": None, "field": "text", "message": "has 15 characters; at most 10 are accepted"}
    ]


@pytest.mark.parametrize("threads", [None, 3])
def test_a_worker_computes_as_many_requests_at_once_as_threads_says(
    make_client: MakeClient, threads: int | None
) -> None:
    """TECHMATCH_THREADS (default 2) sizes the pool the plain-def routes run in: matching is CPU-bound,
    so more threads than cores only contend for the interpreter (benchmarks/README.md, "API under load")."""
    client = make_client(**({} if threads is None else {"threads": threads}))
    assert client.portal is not None
    tokens = client.portal.call(lambda: anyio.to_thread.current_default_thread_limiter().total_tokens)
    assert tokens == (threads or 2)
    assert client.post("/match", json={"text": "化工废水COD深度处理"}).status_code == 200


def test_match_takes_one_trip_to_the_thread_pool(seeded: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pool's few threads (TECHMATCH_THREADS) are for matching: the dependencies that read the
    app's state and the response's validation run on the event loop, so a request never queues
    for a thread more than once behind the others' matching."""
    trips = []
    run_sync = anyio.to_thread.run_sync

    async def counted(func, *args, **kwargs):  # type: ignore[no-untyped-def]
        trips.append(func)
        return await run_sync(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
    answer = seeded.post("/match", json={"text": "化工废水COD深度处理", "k": 3})
    assert answer.status_code == 200 and ids(answer.json())[0] == "a6"
    assert len(trips) == 1
