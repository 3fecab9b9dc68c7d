"""Writes: the database first, then the live index, so a stored record is matchable at once."""

from __future__ import annotations

from collections.abc import Sequence

from matcher import Achievement, Demand

from .errors import NotFound
from .live import LiveIndex, removing, upserting
from .repository import SqlRepository

Kind = type[Achievement] | type[Demand]


def not_found(kind: Kind, id: str) -> NotFound:
    return NotFound(f"no {kind.__name__.lower()} with id {id!r}")


class Store:
    """Each write is one database transaction followed by an index swap; a failed write changes neither."""

    def __init__(self, repo: SqlRepository, live: LiveIndex) -> None:
        self.repo = repo
        self.live = live

    def add(self, record: Achievement | Demand) -> None:
        self.live.write(lambda: self.repo.add(record=record), upserting([record]))

    def replace(self, record: Achievement | Demand) -> None:
        def store() -> None:
            if not self.repo.replace(record=record):
                raise not_found(type(record), record.id)

        self.live.write(store, upserting([record]))

    def delete(self, kind: Kind, id: str) -> None:
        def store() -> None:
            if not self.repo.delete(kind=kind, id=id):
                raise not_found(kind, id)

        self.live.write(store, removing(kind, id))

    def import_many(self, kind: Kind, records: Sequence[Achievement | Demand]) -> tuple[int, int]:
        """All or nothing: ``(created, updated)``; known ids are overwritten."""
        return self.live.write(lambda: self.repo.upsert_many(kind=kind, records=records), upserting(records))
