"""Parallel kernels survive fork (batch workers, notebooks) and concurrent threads (the API)."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ThreadPoolExecutor

import numba
import pytest

from matcher import Achievement, Demand, Matcher, postings
from matcher.io import read_records
from matcher.samples import SAMPLE_DIR

ACHIEVEMENTS = read_records(SAMPLE_DIR / "achievements.jsonl", Achievement)
DEMANDS = read_records(SAMPLE_DIR / "demands.jsonl", Demand)[:12]


def _ranked(matcher: Matcher) -> list[list[str]]:
    return [[m.record.id for m in row] for row in matcher.match_demands(DEMANDS, explain=False)]


def _in_child(_: int) -> list[list[str]]:
    postings.PARALLEL_WORK = 0
    return _ranked(Matcher().fit(ACHIEVEMENTS))  # MinHash and ranking kernels, both parallel


@pytest.fixture
def parallel_always(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postings, "PARALLEL_WORK", 0)


def test_a_forked_child_runs_parallel_kernels_after_the_parent_did(parallel_always: None) -> None:
    """GNU OpenMP (numba's default layer) would kill the child here; the batch runner forks workers."""
    expected = _ranked(Matcher().fit(ACHIEVEMENTS))
    assert numba.threading_layer() == "workqueue"
    with multiprocessing.get_context("fork").Pool(1) as pool:
        assert pool.map(_in_child, [0], chunksize=1) == [expected]


def test_threads_share_the_parallel_kernels(parallel_always: None) -> None:
    """The service ranks on a thread pool; the workqueue layer must never be entered twice at once."""
    matcher = Matcher().fit(ACHIEVEMENTS)
    expected = _ranked(matcher)
    with ThreadPoolExecutor(4) as threads:
        assert list(threads.map(lambda _: _ranked(matcher), range(16))) == [expected] * 16
