"""The service under load: ``POST /match`` on loopback at 10^5 achievements, bounded in time.

    python benchmarks/load.py --achievements 100000 --seconds 60 [--rate 200 [15 ...]] [--workers 2] [--pin]
        [--index-dir DIR] [--http auto|h11|httptools] [--threads N] [--json FILE]

Prepares once (benchmarks/.work/) a SQLite database of corpus achievements (benchmarks/corpus.py,
recombined from ../shared/data/csl) and demand texts for the bodies, starts ``uvicorn
api.main:create_app`` (which fits the index from the database), warms it up, then runs
(a) wrk, closed loop, ``--connections`` keep-alive connections for ``--seconds``: the maximum
sustained throughput; (b) benchmarks/open_loop.py at ``--rate`` requests/s for ``--seconds``.
Both generators are separate processes. With ``--pin`` the server runs on CPU 0 and the generator
on CPU 1 (taskset). The CPU seconds of every server process and of the generator are reported, and
the load average, since other jobs share the machine.

wrk rather than locust: it is C, so the generator takes little of the 2 cores from the server
(locust, in Python, would need most of a core for 200 requests/s).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import load_setup  # noqa: E402


def server_cpu(server: subprocess.Popen[bytes]) -> dict[int, float]:
    """CPU seconds so far of the server and each of its worker processes, by pid."""
    processes = [psutil.Process(server.pid), *psutil.Process(server.pid).children(recursive=True)]
    return {p.pid: sum(p.cpu_times()[:2]) for p in processes if p.is_running()}


def generator(command: list[str], cpu: str | None, env: dict[str, str] | None = None) -> tuple[str, float]:
    """Run a load generator to the end: its output and the CPU seconds it used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    command = ["taskset", "-c", cpu, *command] if cpu else command
    output = subprocess.run(command, capture_output=True, text=True, env=env, check=True).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return output, round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 1)


def closed_loop(port: int, bodies: Path, args: argparse.Namespace, cpu: str | None) -> dict:
    command = ["wrk", "-t1", f"-c{args.connections}", f"-d{args.seconds}s", "--timeout", "30s"]
    command += ["-s", str(ROOT / "benchmarks" / "load.lua"), f"http://127.0.0.1:{port}"]
    output, cpu_s = generator(command, cpu, {**os.environ, "WRK_BODIES": str(bodies)})
    figures = json.loads(next(line for line in output.splitlines() if line.startswith("WRKJSON "))[8:])
    errors = sum(figures[k] for k in ("connect", "read", "write", "status", "timeout"))
    return {
        "mode": f"closed, {args.connections} conn",
        "achieved_rps": round((figures["requests"] - figures["status"]) / figures["duration_us"] * 1e6, 1),
        "requests": figures["requests"],
        "errors": errors,
        **{f"p{p}_ms": round(figures[f"p{p}_us"] / 1000, 1) for p in (50, 95, 99)},
        "generator_cpu_s": cpu_s,
    }


def open_loop(port: int, bodies: Path, rate: float, seconds: int, cpu: str | None) -> dict:
    command = [sys.executable, str(ROOT / "benchmarks" / "open_loop.py"), "--port", str(port)]
    command += ["--bodies", str(bodies), "--rate", str(rate), "--seconds", str(seconds)]
    output, cpu_s = generator(command, cpu)
    return {"mode": f"open, {rate:g}/s", **json.loads(output), "generator_cpu_s": cpu_s}


def warm_up(base: str, bodies: Path, server: subprocess.Popen[bytes], workers: int) -> dict:
    """Requests on several connections at once, so that every worker pays its first-request costs now.

    The first ``/match`` of a worker groups near-duplicates (computed lazily) and loads the numba kernels.
    """
    warm = bodies.read_text(encoding="utf-8").splitlines()[:40]
    before, clock = server_cpu(server), time.perf_counter()

    def send(share: list[str]) -> None:
        with httpx.Client(base_url=base, timeout=600, headers={"Content-Type": "application/json"}) as client:
            for body in share:
                client.post("/match", content=body.encode()).raise_for_status()

    for _ in range(10):  # uvicorn's workers race to accept, so a round may miss one: repeat until all served
        with ThreadPoolExecutor(4 * workers) as pool:
            list(pool.map(send, [warm[i :: 4 * workers] for i in range(4 * workers)]))
        after = server_cpu(server)
        busy = {pid: round(after[pid] - before.get(pid, 0.0), 1) for pid in after}
        if sum(seconds >= 1.0 for seconds in busy.values()) >= workers:
            break
    return {"warm_up_s": round(time.perf_counter() - clock, 1), "warm_up_cpu_s": busy}


def measure(port: int, server: subprocess.Popen[bytes], run: Callable[..., dict], *run_args: object) -> dict:
    """One generator run, once the server is idle, with its CPU seconds per process and the load average."""
    for _ in range(300):  # requests left over from an overloaded run are still being answered: wait for them
        before = server_cpu(server)
        time.sleep(2)
        if sum(server_cpu(server).values()) - sum(before.values()) < 0.2:
            break
    before, load_before = server_cpu(server), os.getloadavg()[0]
    figures = run(port, *run_args)
    after = server_cpu(server)
    figures["server_cpu_s"] = {pid: round(after[pid] - before.get(pid, 0.0), 1) for pid in after}
    figures["load_avg_1min"] = [round(load_before, 1), round(os.getloadavg()[0], 1)]
    return figures


def serve_and_measure(db: Path, bodies: Path, args: argparse.Namespace) -> dict:
    server_cpus, generator_cpus = ("0", "1") if args.pin else (None, None)
    port = load_setup.free_port()
    base = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    server = load_setup.start_server(
        db, port, args.workers, server_cpus, args.worker_healthcheck, args.index_dir, args.http, args.threads
    )
    try:
        health = load_setup.wait_until_up(base, server, args.workers, seconds=3600)
        setup = {"startup_s": round(time.perf_counter() - started, 1), "indexed": health["index"]["achievements"]}
        setup.update(warm_up(base, bodies, server, args.workers))
        runs = []
        if shutil.which("wrk"):
            runs.append(measure(port, server, closed_loop, bodies, args, generator_cpus))
        else:
            print("wrk is missing (apt-get install -y wrk): no closed-loop run", file=sys.stderr)
        for rate in args.rate:
            runs.append(measure(port, server, open_loop, bodies, rate, args.seconds, generator_cpus))
        return {**setup, "runs": runs, **after_a_write(base, bodies)}
    finally:
        server.terminate()
        server.wait(60)


def after_a_write(base: str, bodies: Path) -> dict:
    """Seconds for one ``POST /achievements`` and for the ``/match`` after it (the new index's first).

    The record is deleted again, so the cached database keeps exactly its achievements.
    """
    record = {"id": "load-test-write", "title": "负载测试写入", "description": "一条新成果：锂电池隔膜湿法制备工艺"}
    body = bodies.read_text(encoding="utf-8").splitlines()[0].encode()
    with httpx.Client(base_url=base, timeout=600, headers={"Content-Type": "application/json"}) as client:
        seconds = []
        for call in (lambda: client.post("/achievements", json=record), lambda: client.post("/match", content=body)):
            clock = time.perf_counter()
            call().raise_for_status()
            seconds.append(round(time.perf_counter() - clock, 2))
        client.delete(f"/achievements/{record['id']}").raise_for_status()
    return {"write_s": seconds[0], "match_after_write_s": seconds[1]}


def table(report: dict) -> str:
    lines = [
        "| run | achieved req/s | p50 ms | p95 ms | p99 ms | errors | server CPU s (per process) | generator CPU s | load avg |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for run in report["runs"]:
        cpu = " + ".join(f"{s:g}" for s in run["server_cpu_s"].values() if s >= 0.1)
        load = "→".join(f"{x:g}" for x in run["load_avg_1min"])
        lines.append(
            f"| {run['mode']} | {run['achieved_rps']} | {run['p50_ms']} | {run['p95_ms']} | {run['p99_ms']} "
            f"| {run['errors']} | {cpu} | {run['generator_cpu_s']} | {load} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--achievements", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=60, help="length of each run")
    parser.add_argument("--rate", type=float, nargs="*", default=[200.0], help="open-loop target rates, requests/s")
    parser.add_argument("--connections", type=int, default=4, help="wrk's keep-alive connections (closed loop)")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--pin", action="store_true", help="server on CPU 0, generator on CPU 1")
    parser.add_argument(
        "--worker-healthcheck", type=int, default=600, help="uvicorn --timeout-worker-healthcheck (its default is 5)"
    )
    parser.add_argument(
        "--index-dir", type=Path, help="TECHMATCH_INDEX_DIR: the workers share one saved, memory-mapped index"
    )
    parser.add_argument(
        "--http",
        choices=["auto", "h11", "httptools"],
        default="auto",
        help="uvicorn's HTTP parser, with the event loop to match (asyncio for h11, uvloop for httptools)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        help="TECHMATCH_THREADS for the server (requests a worker computes at once); default: the service's",
    )
    parser.add_argument("--queries", type=int, default=2_000, help="distinct demand texts the bodies rotate over")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()

    if not load_setup.corpus.PAPERS.is_file():
        sys.exit(f"skipped: the load test needs ../shared/data/csl ({load_setup.corpus.PAPERS} is absent)")
    clock = time.perf_counter()
    db = load_setup.database(args.achievements)
    bodies = load_setup.WORK / f"bodies-{args.queries}.jsonl"
    if not bodies.is_file():
        bodies.write_text("\n".join(load_setup.bodies(args.queries)) + "\n", encoding="utf-8")
    prepared_s = round(time.perf_counter() - clock, 1)
    report = {
        **load_setup.report_head("load.py", args.achievements, args.workers),
        "pinned": args.pin,
        "http": args.http,
        "threads": args.threads or "service default",
        "prepare_s": prepared_s,
        **serve_and_measure(db, bodies, args),
    }
    print(f"{report['command']}  ({report['date']}, {report['cores']} cores)")
    print(
        f"server up in {report['startup_s']} s, warm-up {report['warm_up_s']} s (CPU s by process:"
        f" {report['warm_up_cpu_s']}), index {report['indexed']}"
    )
    print(table(report))
    print(f"one POST /achievements: {report['write_s']} s; the /match after it: {report['match_after_write_s']} s")
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
