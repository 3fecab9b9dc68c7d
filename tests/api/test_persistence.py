"""Records live in the database: a restarted service finds them and matches them."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.config import Settings
from api.main import create_app
from matcher import ChineseTokenizer
from tests.api.conftest import as_json, ids
from tests.conftest import ACHIEVEMENTS, DEMANDS


def test_records_and_matches_survive_a_restart(database_url: str, tokenizer: ChineseTokenizer) -> None:
    settings = Settings(database_url=database_url)
    with TestClient(create_app(settings, tokenizer=tokenizer)) as first:
        first.post("/achievements:bulk", json=as_json(ACHIEVEMENTS))
        first.post("/demands", json=as_json(DEMANDS)[1])
        first.delete("/achievements/a5")
    with TestClient(create_app(settings, tokenizer=tokenizer)) as second:
        health = second.get("/health").json()
        assert health["records"] == {"achievements": 5, "demands": 1}
        assert health["in_sync"] and health["freshness"]["writes_since_refit"] == 0
        assert ids(second.get("/demands/d2/matches").json())[0] == "a4"
        assert second.get("/achievements/a5").status_code == 404


def test_the_default_database_is_a_file_in_the_working_folder(tmp_path, monkeypatch, tokenizer) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    with TestClient(create_app(Settings(), tokenizer=tokenizer)) as client:
        assert client.post("/achievements", json=as_json(ACHIEVEMENTS)[0]).status_code == 201
    assert (tmp_path / "techmatch.db").is_file()
