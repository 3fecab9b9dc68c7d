"""All SQL of the service: records in, records out (matcher.records Achievement / Demand).

Every method is one transaction; a bulk write stores every record or none.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, String, Table, bindparam, cast, delete, func, insert, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from matcher.filters import field_matches
from matcher.records import Achievement, Demand, Maturity, Record
from matcher.regions import region_matches

from . import tables
from .errors import Conflict
from .schemas import RecordQuery

R = TypeVar("R", Achievement, Demand)

_TABLES: dict[type[Record], Table] = {Achievement: tables.achievements, Demand: tables.demands}
_CHUNK = 500
"""Ids per ``IN (...)`` list: well under every database's limit on bound parameters."""


def _row(record: Record) -> dict[str, Any]:
    data = record.model_dump(mode="json")
    if isinstance(record, Demand):
        data["deadline"] = record.deadline
    data["updated_at"] = datetime.now(UTC)
    return data


def _record(kind: type[R], row: Any) -> R:
    return kind.model_validate(dict(row._mapping))


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


class SqlRepository:
    """Achievements and demands in any SQLAlchemy database (SQLite file by default, PostgreSQL by URL)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def get(self, *, kind: type[R], id: str) -> R | None:
        table = _TABLES[kind]
        with self.engine.connect() as connection:
            row = connection.execute(select(table).where(table.c.id == id)).first()
        return None if row is None else _record(kind, row)

    def all(self, *, kind: type[R]) -> list[R]:
        table = _TABLES[kind]
        with self.engine.connect() as connection:
            return [_record(kind, row) for row in connection.execute(select(table).order_by(table.c.id))]

    def count(self, *, kind: type[Record]) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(_TABLES[kind])).scalar_one())

    def page(self, *, kind: type[R], query: RecordQuery) -> tuple[list[R], int]:
        """One page of the records ``query`` selects, ordered by id, and how many it selects in all."""
        table = _TABLES[kind]
        offset = (query.page - 1) * query.page_size
        with self.engine.connect() as connection:
            where = self._where(connection, table, query)
            total = connection.execute(select(func.count()).select_from(table).where(*where)).scalar_one()
            rows = connection.execute(
                select(table).where(*where).order_by(table.c.id).offset(offset).limit(query.page_size)
            )
            return [_record(kind, row) for row in rows], int(total)

    def _where(self, connection: Connection, table: Table, query: RecordQuery) -> list[ColumnElement[bool]]:
        """Field and region are matched with the engine's own rules over the distinct stored values."""
        where: list[ColumnElement[bool]] = []
        for column, wanted, rule in (("field", query.field, field_matches), ("region", query.region, region_matches)):
            if wanted:
                values = connection.execute(select(table.c[column]).distinct()).scalars()
                where.append(table.c[column].in_([v for v in values if rule(wanted, v)]))
        if query.maturity is not None:
            where.append(table.c.maturity == query.maturity.value)
        if query.min_maturity is not None:
            stages = [m.value for m in Maturity if m.rank >= query.min_maturity.rank]
            where.append(table.c.maturity.in_(stages))
        if query.q:
            columns = (table.c.title, table.c.description, cast(table.c.keywords, String))
            where.append(or_(*(column.icontains(query.q, autoescape=True) for column in columns)))
        return where

    def add(self, *, record: Record) -> None:
        """Store a new record; :class:`Conflict` when its id exists."""
        table = _TABLES[type(record)]
        with self.engine.begin() as connection:
            if connection.execute(select(table.c.id).where(table.c.id == record.id)).first() is not None:
                raise Conflict(f"{table.name} {record.id!r} exists already: use PUT to change it")
            connection.execute(insert(table), [_row(record)])

    def replace(self, *, record: Record) -> bool:
        """Overwrite a stored record; False when there is none with its id."""
        table = _TABLES[type(record)]
        with self.engine.begin() as connection:
            result = connection.execute(update(table).where(table.c.id == record.id).values(_row(record)))
            return result.rowcount > 0

    def delete(self, *, kind: type[Record], id: str) -> bool:
        table = _TABLES[kind]
        with self.engine.begin() as connection:
            return connection.execute(delete(table).where(table.c.id == id)).rowcount > 0

    def upsert_many(self, *, kind: type[Record], records: Sequence[Record]) -> tuple[int, int]:
        """Insert new ids and overwrite known ones in one transaction: ``(created, updated)``."""
        table = _TABLES[kind]
        with self.engine.begin() as connection:
            known: set[str] = set()
            for ids in _chunks([r.id for r in records]):
                known.update(connection.execute(select(table.c.id).where(table.c.id.in_(ids))).scalars())
            new = [_row(r) for r in records if r.id not in known]
            old = [{**_row(r), "old_id": r.id} for r in records if r.id in known]
            if new:
                connection.execute(insert(table), new)
            if old:
                connection.execute(update(table).where(table.c.id == bindparam("old_id")), old)
        return len(new), len(old)
