"""Measuring helpers for the benchmark: peak memory, latency percentiles, sizes on disk."""

from __future__ import annotations

import resource
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import psutil


class PeakMemory:
    """Peak memory of this process and its children (worker pools), sampled in a thread.

    Proportional set size (PSS) is summed over the processes, so pages that forked workers share
    with their parent count once; the kernel's own peak RSS of this process is the floor.
    """

    def __init__(self, interval: float = 0.1) -> None:
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> int:
        me = psutil.Process()
        total = 0
        for process in [me, *me.children(recursive=True)]:
            try:
                total += process.memory_full_info().pss
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        return total

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, self._sample())

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def mb(self) -> float:
        own_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB
        return round(max(self.peak, own_peak) / 2**20, 1)


def rss_mb() -> float:
    return round(psutil.Process().memory_info().rss / 2**20, 1)


class Clock:
    """``with Clock() as clock: ...`` then ``clock.s``: seconds the block took, rounded."""

    def __enter__(self) -> Clock:
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.s = round(time.perf_counter() - self.start, 2)


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


def latencies(call: Callable[[Any], Any], queries: Sequence[Any], warmup: int = 20) -> dict[str, float]:
    """p50/p95/p99 in milliseconds of ``call(query)`` one query at a time."""
    for query in queries[:warmup]:
        call(query)
    times = []
    for query in queries:
        start = time.perf_counter()
        call(query)
        times.append(time.perf_counter() - start)
    ms = np.array(times) * 1000
    return {f"p{p}_ms": round(float(np.percentile(ms, p)), 3) for p in (50, 95, 99)}


def throughput(call: Callable[[], Any], n_queries: int) -> float:
    seconds, _ = timed(call)
    return round(n_queries / seconds, 1)


def disk_mb(path: Path) -> float:
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return round(sum(p.stat().st_size for p in files) / 2**20, 1)


def agreement(found: Sequence[Sequence[Any]], exact: Sequence[Sequence[Any]]) -> dict[str, float]:
    """How far top-10 lists agree with exact ones: shared share, and queries whose list is identical."""
    shared = [len(set(f) & set(e)) / max(1, len(e)) for f, e in zip(found, exact, strict=True)]
    same = [list(f) == list(e) for f, e in zip(found, exact, strict=True)]
    return {"top10_overlap": round(float(np.mean(shared)), 4), "top10_identical": round(float(np.mean(same)), 4)}
