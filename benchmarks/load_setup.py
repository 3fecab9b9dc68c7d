"""What the load test needs before it fires: a cached database, query bodies, a running server.

Without TECHMATCH_INDEX_DIR the service fits its index from the database when it starts (api/main.py
lifespan), so the preparation is the database itself, filled once through the service's own
repository (as ``techmatch serve --load-sample`` does) and kept in benchmarks/.work/.
"""

from __future__ import annotations

import datetime
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from benchmarks import corpus

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "benchmarks" / ".work"
CHUNK = 10_000


def database(size: int, seed: int = 0) -> Path:
    """A SQLite file with ``size`` corpus achievements, built once; a half-built file is never kept."""
    from api.db import create_schema, make_engine
    from api.repository import SqlRepository
    from matcher.records import Achievement

    path = WORK / f"load-{size}-{seed}.db"
    if path.is_file():
        return path
    WORK.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{partial}")
    try:
        create_schema(engine)
        repo = SqlRepository(engine)
        rows = corpus.achievements(size, seed=seed, papers=corpus.load_papers())
        for start in range(0, size, CHUNK):
            batch = [Achievement.model_validate(next(rows)) for _ in range(min(CHUNK, size - start))]
            repo.upsert_many(kind=Achievement, records=batch)
        with engine.connect() as connection:  # fold the WAL in, so the file alone is the database
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()
    partial.rename(path)
    return path


def bodies(n: int, seed: int = 1) -> list[str]:
    """``POST /match`` bodies: demand titles alone (a search box) and titles with their short description."""
    texts = []
    for i, demand in enumerate(corpus.demands(n, seed=seed, papers=corpus.load_papers())):
        texts.append(demand["title"] if i % 2 else f"{demand['title']}。{demand['description']}")
    return [json.dumps({"text": text, "k": 10}, ensure_ascii=False) for text in texts]


def report_head(script: str, achievements: int, workers: int) -> dict[str, object]:
    """The first keys of a service benchmark's report: when, the command that reproduces it, the machine."""
    return {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "command": " ".join(["python", f"benchmarks/{script}", *sys.argv[1:]]),
        "cores": os.cpu_count(),
        "achievements": achievements,
        "workers": workers,
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(
    db: Path,
    port: int,
    workers: int,
    cpus: str | None,
    healthcheck: int,
    index_dir: Path | None = None,
    http: str = "auto",
    threads: int | None = None,
) -> subprocess.Popen[bytes]:
    """uvicorn with the app factory on loopback, optionally pinned to ``cpus``; its log goes to WORK/server.log.

    ``healthcheck``: seconds uvicorn's supervisor waits for a busy worker before killing it (its default, 5,
    kills a worker whose first /match holds the GIL for half a minute at 10^5 achievements).
    ``index_dir``: TECHMATCH_INDEX_DIR (saved index); unset, every worker fits its own.
    ``http``: uvicorn's HTTP protocol (``auto``: httptools when installed, else h11) and the event loop with it
    (uvloop with httptools, asyncio with h11), so one switch compares the pure-Python stack with the compiled one.
    ``threads``: TECHMATCH_THREADS, requests a worker computes at once; unset, the service's default.
    """
    env = {**os.environ, "TECHMATCH_DATABASE_URL": f"sqlite:///{db}"}
    env.pop("TECHMATCH_API_KEY", None)
    env.pop("TECHMATCH_INDEX_DIR", None)
    env.pop("TECHMATCH_THREADS", None)
    if index_dir is not None:
        env["TECHMATCH_INDEX_DIR"] = str(index_dir)
    if threads is not None:
        env["TECHMATCH_THREADS"] = str(threads)
    command = [sys.executable, "-m", "uvicorn", "api.main:create_app", "--factory", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", str(workers), "--no-access-log"]
    command += ["--timeout-worker-healthcheck", str(healthcheck), "--http", http]
    command += ["--loop", {"h11": "asyncio", "httptools": "uvloop"}.get(http, "auto")]
    if cpus:
        command = ["taskset", "-c", cpus, *command]
    with open(WORK / "server.log", "wb") as log:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def wait_until_up(base: str, server: subprocess.Popen[bytes], workers: int, seconds: float) -> dict:
    """The health answer once every worker has fitted its index (uvicorn logs each startup)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the server exited with code {server.returncode} while starting (see {WORK / 'server.log'})")
        if (WORK / "server.log").read_text(errors="replace").count("Application startup complete") >= workers:
            return httpx.get(f"{base}/health", timeout=60).raise_for_status().json()  # type: ignore[no-any-return]
        time.sleep(1)
    sys.exit(f"the server did not start within {seconds:.0f} s")
