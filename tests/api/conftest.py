"""Service fixtures: a fresh database per test (SQLite file, or TECHMATCH_TEST_DATABASE_URL), clients.

Set ``TECHMATCH_TEST_DATABASE_URL=postgresql+psycopg://user:pass@127.0.0.1/techmatch_test`` to run
every API test against PostgreSQL; its tables are dropped before each test.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.config import Settings
from api.db import make_engine
from api.main import create_app
from api.tables import metadata
from matcher import ChineseTokenizer
from matcher.records import Record
from tests.conftest import ACHIEVEMENTS, DEMANDS

TEST_DATABASE_URL = os.environ.get("TECHMATCH_TEST_DATABASE_URL", "")

MakeClient = Callable[..., TestClient]


def as_json(records: list[Any]) -> list[dict[str, Any]]:
    return [r.model_dump(mode="json") if isinstance(r, Record) else r for r in records]


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests set what they need; an operator's TECHMATCH_* variables must not leak in."""
    for name in list(os.environ):
        if name.startswith("TECHMATCH_") and name != "TECHMATCH_TEST_DATABASE_URL":
            monkeypatch.delenv(name)


@pytest.fixture
def database_url(tmp_path: Any) -> str:
    if not TEST_DATABASE_URL:
        return f"sqlite:///{tmp_path / 'techmatch.db'}"
    engine = make_engine(TEST_DATABASE_URL)
    metadata.drop_all(engine)
    engine.dispose()
    return TEST_DATABASE_URL


@pytest.fixture
def make_client(database_url: str, tokenizer: ChineseTokenizer) -> Iterator[MakeClient]:
    """Start an app (lifespan included) on the test database with these settings; closed at the end."""
    with ExitStack() as stack:

        def make(**settings: Any) -> TestClient:
            app = create_app(Settings(database_url=database_url, **settings), tokenizer=tokenizer)
            return stack.enter_context(TestClient(app))

        yield make


@pytest.fixture
def client(make_client: MakeClient) -> TestClient:
    return make_client()


@pytest.fixture
def seeded(client: TestClient) -> TestClient:
    """A client whose database holds the tiny corpora of tests/conftest.py."""
    assert client.post("/achievements:bulk", json=as_json(ACHIEVEMENTS)).status_code == 200
    assert client.post("/demands:bulk", json=as_json(DEMANDS)).status_code == 200
    return client


def ids(answer: dict[str, Any], key: str = "achievement") -> list[str]:
    """The record ids of a matches answer, best first."""
    return [m[key]["id"] for m in answer["matches"]]
