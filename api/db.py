"""The database engine from a URL: SQLite by default, PostgreSQL (or any SQLAlchemy URL) by setting."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from .tables import metadata


def make_engine(url: str) -> Engine:
    """An engine ready for a threaded server; a SQLite file's folder is created when missing."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, json_serializer=_json)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, json_serializer=_json)
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _json(value: Any) -> str:
    """Chinese stays readable in JSON columns, so that a keyword search with LIKE finds it."""
    return json.dumps(value, ensure_ascii=False)


def _sqlite_pragmas(connection: object, _record: object) -> None:
    """WAL lets readers go on while a bulk import writes."""
    cursor = connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_schema(engine: Engine) -> None:
    """Create missing tables; existing tables are never altered or dropped (see README, Service)."""
    metadata.create_all(engine)
