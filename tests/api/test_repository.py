"""SqlRepository: records in and out unchanged, one transaction per call."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError

from api.db import create_schema, make_engine
from api.errors import Conflict
from api.repository import SqlRepository
from api.schemas import RecordQuery
from matcher import Achievement, Demand
from tests.conftest import ACHIEVEMENTS, DEMANDS


@pytest.fixture
def repo(database_url: str) -> Iterator[SqlRepository]:
    engine = make_engine(database_url)
    create_schema(engine)
    yield SqlRepository(engine)
    engine.dispose()


def test_records_come_back_exactly(repo: SqlRepository) -> None:
    rich = Achievement(
        id="r1", description="量子点显示材料", keywords=["量子点", "显示"], patent_numbers=["CN1", "CN2"], price="面议"
    )
    demand = DEMANDS[0].model_copy(update={"deadline": date(2026, 3, 31)})
    assert repo.upsert_many(kind=Achievement, records=[rich, *ACHIEVEMENTS]) == (len(ACHIEVEMENTS) + 1, 0)
    repo.add(record=demand)
    assert repo.get(kind=Achievement, id="r1") == rich
    assert repo.get(kind=Demand, id="d1") == demand
    assert repo.all(kind=Achievement) == sorted([rich, *ACHIEVEMENTS], key=lambda a: a.id)


def test_keywords_are_searchable_in_chinese(repo: SqlRepository) -> None:
    repo.add(record=Achievement(id="r1", description="一种新材料", keywords=["量子点"]))
    found, count = repo.page(kind=Achievement, query=RecordQuery(q="量子点"))
    assert [a.id for a in found] == ["r1"] and count == 1


def test_a_failing_bulk_write_stores_nothing(repo: SqlRepository) -> None:
    twice = [ACHIEVEMENTS[0], ACHIEVEMENTS[1], ACHIEVEMENTS[0]]  # the database refuses the second a1
    with pytest.raises(IntegrityError):
        repo.upsert_many(kind=Achievement, records=twice)
    assert repo.count(kind=Achievement) == 0


def test_upsert_many_updates_known_ids(repo: SqlRepository) -> None:
    repo.upsert_many(kind=Demand, records=DEMANDS)
    changed = [d.model_copy(update={"budget": 1.5}) for d in DEMANDS[:2]]
    assert repo.upsert_many(kind=Demand, records=changed) == (0, 2)
    assert [d.budget for d in repo.all(kind=Demand)] == [1.5, 1.5, DEMANDS[2].budget]


def test_add_refuses_a_known_id_and_unknown_ids_are_reported(repo: SqlRepository) -> None:
    repo.add(record=ACHIEVEMENTS[0])
    with pytest.raises(Conflict):
        repo.add(record=ACHIEVEMENTS[0])
    assert repo.replace(record=ACHIEVEMENTS[1]) is False
    assert repo.delete(kind=Achievement, id="nope") is False
    assert repo.delete(kind=Achievement, id="a1") is True and repo.count(kind=Achievement) == 0
