"""Where batch chunks run: in this process, in worker processes on this machine, or on a Dask cluster.

Parallel workers never receive a pickled matcher: the fitted matcher is saved once to a folder and
each worker process loads it on its first chunk and keeps it (see :func:`match_saved`). Chunks are
submitted in a bounded window and their results taken in submission order, so the output is the
same, row for row, whichever runner ran it.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from .engine import Matcher
from .errors import MatcherError
from .filters import Filters
from .records import Record

TERMS_SHOWN = 10
"""Shared terms written per pair (the largest contributions)."""

Rows = list[list[dict[str, Any]]]
"""Pair rows per query of a chunk, in query order."""


@dataclass(frozen=True)
class BatchOptions:
    """What the facade is asked for each query; ``filters.max_price`` (``--budget``) limits
    achievements only, so it is left out when demands are ranked."""

    k: int = 10
    filters: Filters = field(default_factory=Filters)
    min_score: float = 0.0

    def filters_for(self, query_is_demand: bool) -> Filters:
        return self.filters if query_is_demand else replace(self.filters, max_price=None)


@dataclass(frozen=True)
class Chunk:
    """Queries of one kind: demands (``query_is_demand``) ranked against achievements, or the reverse."""

    query_is_demand: bool
    queries: list[Record]


def pair_rows(matcher: Matcher, chunk: Chunk, options: BatchOptions) -> Rows:
    """The facade's results for a chunk as pair rows: exactly what match_demand(s) returns."""
    match = matcher.match_demands if chunk.query_is_demand else matcher.match_achievements
    filters = options.filters_for(chunk.query_is_demand)
    found = match(chunk.queries, k=options.k, filters=filters, min_score=options.min_score)  # type: ignore[arg-type]
    direction = "demand" if chunk.query_is_demand else "achievement"
    rows: Rows = []
    for query, matches in zip(chunk.queries, found, strict=True):
        rows.append([])
        for rank, m in enumerate(matches, start=1):
            demand, achievement = (query, m.record) if chunk.query_is_demand else (m.record, query)
            rows[-1].append(
                {
                    "direction": direction,
                    "demand_id": demand.id,
                    "rank": rank,
                    "achievement_id": achievement.id,
                    "score": m.score,
                    "shared_terms": [{"term": t, "weight": round(w, 4)} for t, w in m.explanation.terms[:TERMS_SHOWN]],
                    "reasons": list(m.explanation.reasons),
                    "demand_title": demand.title,
                    "achievement_title": achievement.title,
                }
            )
    return rows


_loaded: dict[str, Matcher] = {}
_loading = threading.Lock()


def loaded_matcher(folder: str) -> Matcher:
    """The matcher saved in ``folder``, loaded once per process (one kept: long-lived workers stay lean)."""
    with _loading:
        if folder not in _loaded:
            if not Path(folder, "matcher.json").is_file():
                raise MatcherError(
                    f"worker on {os.uname().nodename} cannot read the saved matcher {folder}: "
                    "use an --index-dir on storage every worker can see"
                )
            _loaded.clear()
            _loaded[folder] = Matcher.load(folder)
        return _loaded[folder]


def match_saved(folder: str, chunk: Chunk, options: BatchOptions) -> Rows:
    """Worker side: match a chunk with the matcher saved in ``folder``."""
    return pair_rows(loaded_matcher(folder), chunk, options)


class Runner(Protocol):
    window: int

    def submit(self, chunk: Chunk, options: BatchOptions) -> Any: ...
    def close(self, cancel: bool) -> None: ...


class InProcess:
    """Chunks run one after the other here, with the matcher in memory (no save, no load)."""

    window = 1

    def __init__(self, matcher: Matcher) -> None:
        self.matcher = matcher

    def submit(self, chunk: Chunk, options: BatchOptions) -> Future[Rows]:
        done: Future[Rows] = Future()
        done.set_result(pair_rows(self.matcher, chunk, options))
        return done

    def close(self, cancel: bool) -> None:
        """Nothing runs in the background."""


class LocalProcesses:
    """Worker processes on this machine (spawned, so no thread or lock state is inherited)."""

    def __init__(self, folder: Path, workers: int) -> None:
        self.folder, self.window = str(folder), 2 * workers
        self.pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))

    def submit(self, chunk: Chunk, options: BatchOptions) -> Future[Rows]:
        return self.pool.submit(match_saved, self.folder, chunk, options)

    def close(self, cancel: bool) -> None:
        self.pool.shutdown(wait=True, cancel_futures=cancel)


def scheduler_address(scheduler: str) -> str:
    """``dask://HOST:PORT`` (or ``tcp://``/``tls://`` as Dask writes them) as a Dask address."""
    if scheduler.startswith("dask://"):
        return "tcp://" + scheduler.removeprefix("dask://")
    return scheduler if "://" in scheduler else "tcp://" + scheduler


class DaskCluster:
    """The same chunks on a Dask distributed cluster; ``address=None`` uses Dask's configured
    scheduler (``DASK_SCHEDULER_ADDRESS``) or starts a local cluster.

    Connecting comes first (a wrong address fails before minutes of fitting); :meth:`serve` then
    names the folder of the saved matcher. The caller closes :attr:`client`.
    """

    def __init__(self, address: str | None) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise MatcherError("--dask/--scheduler need dask.distributed: pip install 'techmatch[batch]'") from None
        try:
            self.client = Client(address, timeout="20s") if address else Client()
        except (OSError, TimeoutError) as error:
            raise MatcherError(f"cannot reach the Dask scheduler at {address}: {error}") from None
        self.window = 2 * max(1, sum(self.client.nthreads().values()))
        self.futures: list[Any] = []
        self.folder = ""

    def serve(self, folder: Path) -> DaskCluster:
        self.folder = str(folder)
        return self

    def submit(self, chunk: Chunk, options: BatchOptions) -> Any:
        future = self.client.submit(match_saved, self.folder, chunk, options, pure=False)
        self.futures = [f for f in self.futures if not f.done()] + [future]
        return future

    def close(self, cancel: bool) -> None:
        if cancel:
            self.client.cancel(self.futures)


def run_chunks(
    chunks: Iterable[Chunk], runner: Runner, options: BatchOptions, done: Callable[[Chunk, Rows], None]
) -> None:
    """Submit chunks (at most ``runner.window`` in flight) and hand each result to ``done`` in order."""
    pending: deque[tuple[Chunk, Any]] = deque()
    finished = False
    try:
        for chunk in chunks:
            pending.append((chunk, runner.submit(chunk, options)))
            if len(pending) >= runner.window:
                _take(pending, done)
        while pending:
            _take(pending, done)
        finished = True
    finally:
        runner.close(cancel=not finished)


def _take(pending: deque[tuple[Chunk, Any]], done: Callable[[Chunk, Rows], None]) -> None:
    chunk, future = pending.popleft()
    done(chunk, future.result())


def chunked(records: Iterable[Record], size: int, query_is_demand: bool) -> Iterator[Chunk]:
    """Records in chunks of ``size``, keeping memory flat however long the input."""
    batch: list[Record] = []
    for record in records:
        batch.append(record)
        if len(batch) == size:
            yield Chunk(query_is_demand, batch)
            batch = []
    if batch:
        yield Chunk(query_is_demand, batch)
