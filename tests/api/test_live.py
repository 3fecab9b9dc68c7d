"""LiveIndex: writes swap the index in database order; a rebuild serves the old index, then keeps every write."""

from __future__ import annotations

import threading

import pytest

from api.live import LiveIndex, removing, upserting
from matcher import Achievement, ChineseTokenizer, Matcher
from tests.conftest import ACHIEVEMENTS, DEMANDS


class Database:
    """A stand-in for the repository: lists, and a load that can be held in the middle of a rebuild."""

    def __init__(self) -> None:
        self.achievements = list(ACHIEVEMENTS[:3])
        self.demands = list(DEMANDS)
        self.hold = False
        self.loading = threading.Event()
        self.release = threading.Event()
        self.fail = False

    def load(self) -> tuple[list, list]:
        snapshot = (list(self.achievements), list(self.demands))
        if self.fail:
            raise RuntimeError("database went away")
        if self.hold:
            self.loading.set()
            assert self.release.wait(10)
        return snapshot


def achievement_ids(live: LiveIndex) -> set[str]:
    return {a.id for a in live.matcher.achievements}


@pytest.fixture
def database() -> Database:
    return Database()


@pytest.fixture
def live(database: Database, tokenizer: ChineseTokenizer) -> LiveIndex:
    return LiveIndex(Matcher(tokenizer=tokenizer), database.load)


def test_write_swaps_in_a_new_matcher_and_counts_it(live: LiveIndex, database: Database) -> None:
    before = live.matcher
    new = ACHIEVEMENTS[3]
    live.write(lambda: database.achievements.append(new), upserting([new]))
    assert achievement_ids(live) == {"a1", "a2", "a3", "a4"}
    assert {a.id for a in before.achievements} == {"a1", "a2", "a3"}  # a reader holding it is unaffected
    assert live.freshness().writes_since_refit == 1


def test_a_failed_store_leaves_the_index_alone(live: LiveIndex) -> None:
    before = live.matcher

    def store() -> None:
        raise ValueError("constraint")

    with pytest.raises(ValueError):
        live.write(store, upserting([ACHIEVEMENTS[3]]))
    assert live.matcher is before and live.freshness().writes_since_refit == 0


def test_a_failed_index_change_stores_nothing(live: LiveIndex) -> None:
    stored = []

    def broken(matcher: Matcher) -> Matcher:
        raise RuntimeError("index")

    with pytest.raises(RuntimeError):
        live.write(lambda: stored.append(1), broken)
    assert stored == []


def test_rebuild_serves_the_old_index_then_replays_missed_writes(live: LiveIndex, database: Database) -> None:
    database.hold = True
    assert live.rebuild() is True
    assert database.loading.wait(10)
    assert live.rebuild() is False  # one rebuild at a time
    assert live.freshness().rebuilding is True
    new = ACHIEVEMENTS[3]
    live.write(lambda: database.achievements.append(new), upserting([new]))
    live.write(lambda: database.achievements.pop(0), removing(Achievement, "a1"))
    assert achievement_ids(live) == {"a2", "a3", "a4"}  # the old index serves, writes applied
    database.release.set()
    live.wait(10)
    assert achievement_ids(live) == {"a2", "a3", "a4"}  # refit from the snapshot + the two missed writes
    freshness = live.freshness()
    assert (freshness.rebuilding, freshness.writes_since_refit, freshness.last_error) == (False, 2, None)
    assert live.matcher.match_text("克氏原螯虾养殖尾水")[0].record.id == "a4"


def test_a_failed_rebuild_keeps_the_old_index_and_says_why(live: LiveIndex, database: Database) -> None:
    before = live.matcher
    database.fail = True
    assert live.rebuild() is True
    live.wait(10)
    assert live.matcher is before
    freshness = live.freshness()
    assert not freshness.rebuilding and freshness.last_error == "RuntimeError: database went away"
