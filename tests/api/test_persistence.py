"""Records live in the database: a restarted service finds them and matches them."""

from __future__ import annotations

from fastapi.testclient import TestClient

import matcher.snapshot as snapshot
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


def test_a_saved_index_is_loaded_at_the_next_start(
    database_url: str, tokenizer: ChineseTokenizer, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(snapshot, "REFIT_SHARE", 0.5)  # one change in a dozen records is "a few" here
    settings = Settings(database_url=database_url, index_dir=tmp_path / "index")
    with TestClient(create_app(settings, tokenizer=tokenizer)) as first:
        first.post("/achievements:bulk", json=as_json(ACHIEVEMENTS))
        first.post("/demands:bulk", json=as_json(DEMANDS))
        assert first.get("/health").json()["freshness"]["source"] == "fitted"  # an empty database, fitted at start
        assert first.post("/index/rebuild?wait=true").json()["freshness"]["source"] == "fitted"  # and saved
        expected = first.get("/demands/d1/matches").json()
    with TestClient(create_app(settings, tokenizer=tokenizer)) as second:
        freshness = second.get("/health").json()["freshness"]
        assert (freshness["source"], freshness["writes_since_refit"]) == ("loaded", 0)
        assert second.get("/demands/d1/matches").json() == expected
        second.delete("/achievements/a5")
    with TestClient(create_app(settings, tokenizer=tokenizer)) as third:  # one record gone: the difference applied
        health = third.get("/health").json()
        assert (health["freshness"]["source"], health["freshness"]["writes_since_refit"]) == ("updated", 1)
        assert health["in_sync"] and health["index"]["achievements"]["documents"] == len(ACHIEVEMENTS) - 1


def test_without_an_index_folder_every_start_fits(client: TestClient) -> None:
    assert client.get("/health").json()["freshness"]["source"] == "fitted"
