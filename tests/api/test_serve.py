"""``techmatch serve``: loads the sample data idempotently, prints where the docs are, runs uvicorn."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient
from typer.testing import CliRunner

import api.cli
from api.cli import app
from api.config import get_settings
from tests.conftest import ACHIEVEMENTS, DEMANDS

runner = CliRunner()


@pytest.fixture
def sample_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "sample_data"
    folder.mkdir()
    for name, records in (("achievements.jsonl", ACHIEVEMENTS), ("demands.jsonl", DEMANDS)):
        (folder / name).write_text("".join(r.model_dump_json() + "\n" for r in records), encoding="utf-8")
    monkeypatch.setattr(api.cli, "SAMPLE_DIR", folder)
    return folder


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch, database_url: str) -> list[dict[str, Any]]:
    """Replace the server's run: record its settings and ask the app it was given for /health."""
    calls: list[dict[str, Any]] = []

    def fake_run(server: uvicorn.Server) -> None:
        config = server.config
        config.load()
        stack = {"http": config.http_protocol_class.__name__, "loop": config.get_loop_factory().__module__}
        with TestClient(config.app) as client:
            health = client.get("/health").json()
            calls.append({"host": config.host, "port": config.port, "health": health, **stack})

    monkeypatch.setattr(api.cli.AnnouncingServer, "run", fake_run)
    monkeypatch.setenv("TECHMATCH_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield calls
    get_settings.cache_clear()


def test_serve_loads_the_sample_once_however_often_it_starts(sample_dir: Path, served: list) -> None:
    for _ in range(2):  # a restart must not duplicate records
        result = runner.invoke(app, ["serve", "--port", "8123", "--load-sample"])
        assert result.exit_code == 0, result.output
        assert "http://127.0.0.1:8123/docs" in result.output and "http://127.0.0.1:8123/" in result.output
        assert f"{len(ACHIEVEMENTS)} achievements, {len(DEMANDS)} demands" in result.output
    assert [call["port"] for call in served] == [8123, 8123] and served[0]["host"] == "127.0.0.1"
    assert served[1]["health"]["records"] == {"achievements": len(ACHIEVEMENTS), "demands": len(DEMANDS)}
    assert served[1]["health"]["in_sync"] is True


def test_serve_without_sample_starts_empty(served: list) -> None:
    result = runner.invoke(app, ["serve", "--host", "0.0.0.0", "--port", "9000"])
    assert result.exit_code == 0, result.output
    assert served[0]["host"] == "0.0.0.0" and served[0]["health"]["records"] == {"achievements": 0, "demands": 0}


def test_serve_runs_on_the_compiled_http_parser_and_loop(served: list) -> None:
    """With h11 and asyncio, one worker took every keep-alive connection wrk opened (benchmarks/README.md)."""
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 0, result.output
    assert served[0]["http"] == "HttpToolsProtocol"
    if sys.platform != "win32":  # uvicorn[standard] has no uvloop on Windows
        assert served[0]["loop"].startswith("uvloop")


def test_bad_settings_are_one_line_errors(served: list, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TECHMATCH_MAX_BATCH", "many")
    get_settings.cache_clear()
    result = runner.invoke(app, ["serve"])
    assert result.exit_code == 2
    assert "max_batch" in result.output and "Traceback" not in result.output
    assert served == []


def test_missing_sample_data_is_a_clear_error(served: list, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api.cli, "SAMPLE_DIR", tmp_path / "nowhere")
    result = runner.invoke(app, ["serve", "--load-sample"])
    assert result.exit_code == 2
    assert "achievements.jsonl: file not found" in result.output


def test_the_engine_commands_are_still_there() -> None:
    result = runner.invoke(app, ["--help"])
    for command in ("match", "evaluate", "demo", "serve"):
        assert command in result.output


def test_serve_keeps_its_index_in_the_folder_given(sample_dir: Path, served: list, tmp_path: Path) -> None:
    for _ in range(2):
        result = runner.invoke(app, ["serve", "--load-sample", "--index-dir", str(tmp_path / "index")])
        assert result.exit_code == 0, result.output
    assert [call["health"]["freshness"]["source"] for call in served] == ["fitted", "loaded"]
    assert (tmp_path / "index" / "current.json").is_file()


def test_an_index_folder_that_cannot_be_written_is_a_clear_error(served: list, tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("a file, not a folder")
    result = runner.invoke(app, ["serve", "--index-dir", str(tmp_path / "taken")])
    assert result.exit_code == 2
    assert "cannot keep the index there" in result.output and "Traceback" not in result.output
    assert served == []
