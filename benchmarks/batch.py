"""Benchmark of ``techmatch batch`` (not a test): wall time, pairs/second and peak memory.

Generates a seeded corpus (benchmarks/synthetic.py, from ../shared/data/csl/papers.jsonl read at run
time), runs the real command in a subprocess and samples the memory of its whole process tree
(the command and its worker processes) every 0.2 s.

    python benchmarks/batch.py --demands 10000 --achievements 100000
    python benchmarks/batch.py --demands 54596 --achievements 98399 --json results.json
    python benchmarks/batch.py --demands 400 --achievements 10000 --threads
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import write_corpus  # noqa: E402


def tree_rss(process: psutil.Process) -> int:
    """Resident memory of a process and all its children, in bytes."""
    total = 0
    for p in [process, *process.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(command: list[str]) -> tuple[float, float, int, str]:
    """Wall seconds, CPU seconds (the command and its workers), peak tree RSS and stderr of a command."""
    started, cpu = time.perf_counter(), cpu_of_children()
    child = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    process, peak, done = psutil.Process(child.pid), 0, threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.2):
            try:
                peak = max(peak, tree_rss(process))
            except psutil.Error:
                return

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = child.communicate()
    done.set()
    sampler.join()
    if child.returncode != 0:
        sys.exit(f"techmatch batch failed ({child.returncode}):\n{stderr}")
    return time.perf_counter() - started, cpu_of_children() - cpu, peak, stderr


def threads_or_processes(achievements: Path, demands: Path, workers: int) -> dict[str, float]:
    """Matching-only wall seconds: one thread, ``workers`` threads sharing the matcher, ``workers``
    spawned processes loading the saved matcher (their start-up included: it is part of the cost)."""
    from concurrent.futures import ThreadPoolExecutor

    from matcher import Achievement, Demand, Matcher
    from matcher.io import read_records
    from matcher.runners import BatchOptions, LocalProcesses, chunked, pair_rows, run_chunks

    matcher = Matcher().fit(read_records(achievements, Achievement))
    chunks = list(chunked(read_records(demands, Demand), 32, True))
    options, timings = BatchOptions(), {}
    started = time.perf_counter()
    for chunk in chunks:
        pair_rows(matcher, chunk, options)
    timings["1 thread"] = time.perf_counter() - started
    with ThreadPoolExecutor(workers) as pool:
        started = time.perf_counter()
        list(pool.map(lambda chunk: pair_rows(matcher, chunk, options), chunks))
        timings[f"{workers} threads"] = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:
        matcher.save(folder)
        started = time.perf_counter()
        run_chunks(chunks, LocalProcesses(Path(folder), workers), options, lambda chunk, rows: None)
        timings[f"{workers} processes"] = time.perf_counter() - started
    return {name: round(seconds, 1) for name, seconds in timings.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--demands", type=int, default=10_000)
    parser.add_argument("--achievements", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=None, help="default: all cores")
    parser.add_argument("--top-k", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/techmatch-bench"))
    parser.add_argument("--json", type=Path, help="append the result as one JSON line")
    parser.add_argument("--threads", action="store_true", help="compare threads and processes (matching only)")
    args = parser.parse_args()

    achievements, demands = write_corpus(args.work_dir, args.achievements, args.demands, seed=args.seed)
    if args.threads:
        print(json.dumps(threads_or_processes(achievements, demands, args.workers or 2), ensure_ascii=False))
        return
    out = args.work_dir / f"pairs-{args.demands}x{args.achievements}.csv"
    command = [str(Path(sys.executable).with_name("techmatch")), "batch", "--demands", str(demands)]
    command += ["--achievements", str(achievements), "--out", str(out), "--top-k", str(args.top_k)]
    if args.workers:
        command += ["--workers", str(args.workers)]
    load = os.getloadavg()[0]
    seconds, cpu, peak, stderr = run(command)
    pairs = sum(1 for _ in open(out, encoding="utf-8-sig")) - 1
    setup = re.search(r"setup ([0-9.]+) s", stderr)
    result = {
        "demands": args.demands,
        "achievements": args.achievements,
        "workers": args.workers or len(psutil.Process().cpu_affinity() or []),
        "wall_s": round(seconds, 1),
        "setup_s": float(setup.group(1)) if setup else None,
        "cpu_s": round(cpu, 1),
        "load_before": round(load, 1),
        "pairs": pairs,
        "pairs_per_s": round(pairs / seconds, 1),
        "demands_per_s": round(args.demands / seconds, 2),
        "peak_rss_mb": round(peak / 2**20),
        "summary": " ".join(stderr.split()),
        "date": time.strftime("%Y-%m-%d %H:%M"),
    }
    print(json.dumps(result, ensure_ascii=False))
    if args.json:
        with open(args.json, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(result, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
