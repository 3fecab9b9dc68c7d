"""API key on writes (and optionally reads), CORS, and the request body limit."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.conftest import MakeClient

RECORD = {"id": "k1", "description": "锂电池隔膜"}


def test_writes_need_the_key_when_it_is_set(make_client: MakeClient) -> None:
    client = make_client(api_key="s3cret")
    for answer in (
        client.post("/achievements", json=RECORD),
        client.post("/achievements", json=RECORD, headers={"X-API-Key": "wrong"}),
        client.put("/achievements/k1", json=RECORD),
        client.delete("/achievements/k1"),
        client.post("/demands:bulk", json=[RECORD]),
        client.post("/index/rebuild"),
    ):
        assert answer.status_code == 401, answer.text
        assert "X-API-Key" in answer.json()["detail"]
    assert client.get("/health").json()["records"]["achievements"] == 0
    assert client.post("/achievements", json=RECORD, headers={"X-API-Key": "s3cret"}).status_code == 201


def test_reads_are_open_unless_protected(make_client: MakeClient) -> None:
    open_reads = make_client(api_key="s3cret")
    assert open_reads.get("/achievements").status_code == 200
    assert open_reads.post("/match", json={"text": "隔膜"}).status_code == 200
    closed = make_client(api_key="s3cret", protect_reads=True)
    assert closed.get("/achievements").status_code == 401
    assert closed.post("/match", json={"text": "隔膜"}).status_code == 401
    assert closed.get("/achievements", headers={"X-API-Key": "s3cret"}).status_code == 200
    assert closed.get("/health").status_code == 200


def test_no_key_set_means_open_writes(client: TestClient) -> None:
    assert client.post("/achievements", json=RECORD).status_code == 201


def test_cors_only_when_configured(make_client: MakeClient) -> None:
    origin = {"Origin": "https://broker.example"}
    assert "access-control-allow-origin" not in make_client().get("/health", headers=origin).headers
    allowed = make_client(cors_origins="https://broker.example, https://other.example")
    assert allowed.get("/health", headers=origin).headers["access-control-allow-origin"] == "https://broker.example"


def test_oversized_bodies_are_413(make_client: MakeClient) -> None:
    client = make_client(max_body_bytes=2048)
    big = {"id": "big", "description": "长" * 2000}
    answer = client.post("/achievements", json=big)
    assert answer.status_code == 413
    assert "TECHMATCH_MAX_BODY_BYTES" in answer.json()["detail"]

    def streamed():  # no Content-Length: counted while read
        yield b'{"id": "big", "description": "'
        yield b"x" * 4000
        yield b'"}'

    answer = client.post("/achievements", content=streamed(), headers={"content-type": "application/json"})
    assert answer.status_code == 413
    assert client.get("/health").json()["records"]["achievements"] == 0
