"""Batch matching of whole files (``techmatch batch``): validate everything first, then match the
queries in chunks (on all cores, or on a Dask cluster) and stream the pairs into files that appear
only when the run is complete.

The side that is searched (achievements, for demands as queries) is held in memory and indexed; the
query file is read twice, once to validate and count it and once in chunks as the work proceeds,
so its length does not matter. Each pair is exactly what the facade's ``match_demand`` (or
``match_achievement``) returns for that one record.
"""

from __future__ import annotations

import math
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TextColumn, TimeRemainingColumn
from rich.text import Text

from .engine import Matcher
from .errors import InputError, Problem
from .io import iter_valid, read_valid, rows_at, scan_records
from .output import (
    OUTPUT_FORMATS,
    XLSX_MAX_ROWS,
    PairWriter,
    atomic_path,
    check_output,
    pairs_writer,
    write_rejected,
)
from .records import Achievement, Demand, Record
from .report import REPORT_FORMATS, ReportWriter, open_report
from .runners import (
    BatchOptions,
    Chunk,
    DaskCluster,
    InProcess,
    LocalProcesses,
    Rows,
    Runner,
    chunked,
    run_chunks,
    scheduler_address,
)

__all__ = ["BatchOptions", "Execution", "Inputs", "Outputs", "Summary", "run_batch"]

Direction = Literal["demand", "achievement", "both"]
R = TypeVar("R", bound=Record)
Queries = list[tuple[bool, int, Callable[[], Iterable[Record]]]]
"""Per query kind (``query_is_demand``): how many, and how to read them."""


@dataclass(frozen=True)
class Inputs:
    demands: Path
    achievements: Path
    demands_sheet: str | None = None
    achievements_sheet: str | None = None


@dataclass(frozen=True)
class Outputs:
    pairs: Path
    rejected: Path | None = None
    """Rejected rows with reasons (``--skip-invalid``); default: beside the pairs, ``NAME.rejected.csv``."""
    report: Path | None = None


@dataclass(frozen=True)
class Execution:
    workers: int | None = None
    """Local worker processes; ``None``: every core this process may use."""
    dask: bool = False
    scheduler: str | None = None
    chunk_size: int = 256
    index_dir: Path | None = None
    """Where the fitted matcher is saved for the workers: every Dask worker must see it
    (default: the output's folder for Dask, the system's temporary folder for local workers)."""
    progress: bool = True


@dataclass(frozen=True)
class Summary:
    queries: int
    pairs: int
    rejected: int
    seconds: float
    setup_seconds: float
    """Reading, validating, fitting and saving the matcher: the part that does not grow with the queries."""
    runner: str


@dataclass
class _Plan:
    achievements: list[Achievement]
    demands: list[Demand]
    queries: Queries
    problems: list[Problem]
    sources: list[tuple[Path, str | None]]

    @property
    def query_count(self) -> int:
        return sum(count for _, count, _ in self.queries)


def rejected_path(pairs: Path) -> Path:
    return pairs.with_name(pairs.stem + ".rejected.csv")


def _side(path: Path, sheet: str | None, kind: type[R], keep: bool) -> tuple[list[R], int, list[Problem]]:
    """One file validated: its good records kept (the side to index) or only counted (queries, streamed).

    A file-level error (missing, unreadable, wrong sheet) becomes a problem, so both files are checked.
    """
    try:
        if keep:
            records, problems = read_valid(path, kind, sheet=sheet)
            return records, len(records), problems
        count, problems = scan_records(path, kind, sheet=sheet)
        return [], count, problems
    except InputError as error:
        return [], 0, error.problems


def _read(inputs: Inputs, direction: Direction, skip_invalid: bool) -> _Plan:
    """Validate both files before any work; raise every problem unless skipping bad rows is asked for."""
    d, a = (inputs.demands, inputs.demands_sheet), (inputs.achievements, inputs.achievements_sheet)
    demands, n_d, problems_d = _side(*d, Demand, keep=direction != "demand")
    achievements, n_a, problems_a = _side(*a, Achievement, keep=direction != "achievement")
    problems = problems_d + problems_a
    fatal = {p.source for p in problems if p.row is None}  # the file itself: missing, unreadable, empty
    empty = [Problem(str(f), None, "", "no valid records left") for (f, _), n in ((d, n_d), (a, n_a)) if not n]
    empty = [e for e in empty if e.source not in fatal]
    if (problems and not skip_invalid) or fatal or empty:
        raise InputError(problems + empty)
    queries: Queries = []
    if direction != "achievement":
        queries.append((True, n_d, (lambda: demands) if demands else lambda: iter_valid(d[0], Demand, sheet=d[1])))
    if direction != "demand":
        read_a = (lambda: achievements) if achievements else lambda: iter_valid(a[0], Achievement, sheet=a[1])
        queries.append((False, n_a, read_a))
    return _Plan(achievements, demands, queries, problems, [d, a])


def _check_outputs(outputs: Outputs, rows_at_most: int | None = None) -> None:
    check_output(outputs.pairs, OUTPUT_FORMATS, "output")
    if outputs.report is not None:
        check_output(outputs.report, REPORT_FORMATS, "report")
    if outputs.rejected is not None:
        check_output(outputs.rejected, (".csv",), "rejected-rows file")
    if rows_at_most is not None and outputs.pairs.suffix.lower() == ".xlsx" and rows_at_most >= XLSX_MAX_ROWS:
        raise InputError.single(
            str(outputs.pairs),
            f"up to {rows_at_most:,} pairs do not fit in one Excel sheet ({XLSX_MAX_ROWS - 1:,} rows): "
            "write .csv, .jsonl or .parquet, or lower --top-k",
        )


def _cores() -> int:
    """Cores this process may use (its CPU affinity where the platform has one)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


SERIAL_QUERIES = 1000
"""Runs with fewer queries (and no ``--workers``) stay in this process: a query costs some 30-50 ms
whatever the corpus size, and starting a worker and loading the matcher costs several seconds."""


def _connect(execution: Execution, stack: ExitStack) -> DaskCluster | None:
    if not (execution.dask or execution.scheduler):
        return None
    cluster = DaskCluster(scheduler_address(execution.scheduler) if execution.scheduler else None)
    stack.callback(cluster.client.close)
    return cluster


def _runner(
    matcher: Matcher, plan: _Plan, execution: Execution, cluster: DaskCluster | None, out: Path, stack: ExitStack
) -> tuple[Runner, str]:
    """Dask when asked; else worker processes for big runs; the matcher is saved once for the workers
    (for Dask beside the output by default, where remote workers are likelier to see it)."""
    chunks = sum(math.ceil(count / execution.chunk_size) for _, count, _ in plan.queries)
    workers = min(execution.workers or _cores(), chunks)
    if cluster is None and (workers <= 1 or (execution.workers is None and plan.query_count < SERIAL_QUERIES)):
        return InProcess(matcher), "in process"
    parent = execution.index_dir or (out.parent if cluster else None)
    folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=".techmatch-index-", dir=parent)))
    matcher.save(folder)
    if cluster is not None:
        return cluster.serve(folder), f"dask {cluster.client.scheduler.address}"
    return LocalProcesses(folder, workers), f"{workers} processes"


class _Rate(ProgressColumn):
    def render(self, task: Task) -> Text:
        return Text(f"{task.speed:,.1f}/s" if task.speed else "", style="progress.data.speed")


@contextmanager
def _progress(enabled: bool) -> Iterator[Progress]:
    """A bar with count, rate and ETA on a terminal; silent when stderr is a file or a pipe."""
    console = Console(stderr=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), _Rate(), TimeRemainingColumn())
    with Progress(*columns, console=console, disable=not (enabled and console.is_terminal)) as bar:
        yield bar


class _Sink:
    """Where finished chunks go, in query order: the pairs file, the report and the progress bar."""

    def __init__(self, writer: PairWriter, report: ReportWriter | None, bar: Progress, plan: _Plan, fitted: Matcher):
        self.writer, self.report, self.bar, self.pairs = writer, report, bar, 0
        self.tasks = {q: bar.add_task("需求" if q else "成果", total=count) for q, count, _ in plan.queries}
        sides: dict[bool, Iterable[Record]] = {True: fitted.achievements, False: fitted.demands}
        self.lookups = {q: _by_id(sides[q]) for q in self.tasks} if report else {}

    def __call__(self, chunk: Chunk, rows: Rows) -> None:
        for query, query_rows in zip(chunk.queries, rows, strict=True):
            self.writer.write(query_rows)
            self.pairs += len(query_rows)
            if self.report is not None:
                key = "achievement_id" if chunk.query_is_demand else "demand_id"
                others = [self.lookups[chunk.query_is_demand].get(r[key]) for r in query_rows]
                self.report.add(query, chunk.query_is_demand, query_rows, others)
        self.bar.advance(self.tasks[chunk.query_is_demand], len(chunk.queries))


def run_batch(
    inputs: Inputs,
    outputs: Outputs,
    options: BatchOptions,
    *,
    direction: Direction = "demand",
    skip_invalid: bool = False,
    execution: Execution | None = None,
    matcher: Matcher | None = None,
) -> Summary:
    """Match every query of the input files and write the pairs (and the report, the rejected rows).

    ``matcher`` (unfitted) sets the tokenizer, index parameters and boosts; defaults otherwise.
    """
    started, execution = time.perf_counter(), execution or Execution()
    if skip_invalid and outputs.rejected is None:
        outputs = Outputs(outputs.pairs, rejected_path(outputs.pairs), outputs.report)
    _check_outputs(outputs)
    reads = {inputs.demands.resolve(), inputs.achievements.resolve()}
    for path in (p for p in (outputs.pairs, outputs.rejected, outputs.report) if p is not None):
        if path.resolve() in reads:
            raise InputError.single(str(path), "is an input file: the output would overwrite it")
    plan = _read(inputs, direction, skip_invalid)
    _check_outputs(outputs, plan.query_count * options.k)
    with ExitStack() as stack:
        cluster = _connect(execution, stack)
        fitted = (matcher or Matcher()).fit(plan.achievements, plan.demands)
        writer = stack.enter_context(pairs_writer(outputs.pairs))
        report = _open_report(outputs.report, stack)
        if outputs.rejected is not None and skip_invalid:
            _write_rejected(stack.enter_context(atomic_path(outputs.rejected)), plan)
        runner, name = _runner(fitted, plan, execution, cluster, outputs.pairs, stack)
        sink = _Sink(writer, report, stack.enter_context(_progress(execution.progress)), plan, fitted)
        if not isinstance(runner, InProcess):  # the workers load their own copies: free this one
            del fitted
            plan.achievements, plan.demands = [], []
        chunks = (c for q, _, records in plan.queries for c in chunked(records(), execution.chunk_size, q))
        setup = time.perf_counter() - started
        run_chunks(chunks, runner, options, sink)
    return Summary(plan.query_count, sink.pairs, len(plan.problems), time.perf_counter() - started, setup, name)


def _by_id(records: Iterable[Record]) -> dict[str, Record]:
    return {r.id: r for r in records}


def _open_report(path: Path | None, stack: ExitStack) -> ReportWriter | None:
    if path is None:
        return None
    report = open_report(path, stack.enter_context(atomic_path(path)))
    stack.callback(report.close)
    return report


def _write_rejected(tmp: Path, plan: _Plan) -> None:
    raw: dict[tuple[str, int], dict[str, Any]] = {}
    for path, sheet in plan.sources:
        numbers = {p.row for p in plan.problems if p.source == str(path) and p.row is not None}
        if numbers:
            raw.update({(str(path), n): row for n, row in rows_at(path, numbers, sheet=sheet).items()})
    write_rejected(tmp, plan.problems, raw)
