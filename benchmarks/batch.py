"""Benchmark of ``techmatch batch`` (not a test): wall time, pairs/second and peak memory.

Generates a seeded corpus (benchmarks/synthetic.py, from ../shared/data/csl/papers.jsonl read at run
time), runs the real command in a subprocess and samples the memory of its whole process tree
(the command and its worker processes) every 0.2 s.

    python benchmarks/batch.py --demands 10000 --achievements 100000
    python benchmarks/batch.py --demands 54596 --achievements 98399 --json results.json
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--demands", type=int, default=10_000)
    parser.add_argument("--achievements", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=None, help="default: all cores")
    parser.add_argument("--top-k", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/techmatch-bench"))
    parser.add_argument("--json", type=Path, help="append the result as one JSON line")
    args = parser.parse_args()

    achievements, demands = write_corpus(args.work_dir, args.achievements, args.demands, seed=args.seed)
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
