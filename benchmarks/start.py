"""Service start-up with and without a saved index (TECHMATCH_INDEX_DIR): time and memory of the workers.

Starts ``uvicorn api.main:create_app --factory --workers W`` on the cached database of ``load_setup``
three times: without an index folder (every worker fits its own index), with an empty folder (one
worker fits and saves, the others wait and load it) and again with the folder filled (a restart:
every worker loads). For each it reports the seconds until every worker serves, and the workers'
resident (RSS) and proportional (PSS: shared pages split between the processes that map them)
memory after one ``POST /match`` each.

    python benchmarks/start.py --achievements 100000 --workers 2 [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

import httpx
import psutil

from benchmarks import load_setup


def worker_memory(server: psutil.Process) -> dict[str, float]:
    """RSS and PSS in MB, summed over the uvicorn worker processes (the supervisor's children)."""
    rss = pss = 0.0
    for child in server.children(recursive=True):
        info = child.memory_full_info()
        rss, pss = rss + info.rss / 2**20, pss + info.pss / 2**20
    return {"rss_mb": round(rss), "pss_mb": round(pss)}


def start(db: Path, workers: int, index_dir: Path | None) -> dict[str, object]:
    port = load_setup.free_port()
    base = f"http://127.0.0.1:{port}"
    began = time.perf_counter()
    server = load_setup.start_server(db, port, workers, None, healthcheck=3600, index_dir=index_dir)
    try:
        health = load_setup.wait_until_up(base, server, workers, seconds=3600)
        up_s = round(time.perf_counter() - began, 1)
        for _ in range(4 * workers):  # uvicorn's workers race to accept: enough requests to reach each one
            httpx.post(f"{base}/match", json={"text": "锂电池隔膜湿法工艺", "k": 10}, timeout=600).raise_for_status()
        return {"up_s": up_s, "source": health["freshness"]["source"], **worker_memory(psutil.Process(server.pid))}
    finally:
        server.terminate()
        server.wait(60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--achievements", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    if not load_setup.corpus.PAPERS.is_file():
        sys.exit(f"skipped: this benchmark needs ../shared/data/csl ({load_setup.corpus.PAPERS} is absent)")
    db = load_setup.database(args.achievements)
    index_dir = load_setup.WORK / f"index-{args.achievements}"
    shutil.rmtree(index_dir, ignore_errors=True)
    runs = {
        "no index folder (each worker fits)": start(db, args.workers, None),
        "empty index folder (one fits and saves, the others load)": start(db, args.workers, index_dir),
        "saved index (a restart: every worker loads)": start(db, args.workers, index_dir),
    }
    report = {
        **load_setup.report_head("start.py", args.achievements, args.workers),
        "runs": runs,
    }
    print(f"{report['command']}  ({report['date']}, {report['cores']} cores)")
    print("| start | up s | workers' RSS MB | workers' PSS MB | /health source |")
    print("|---|---|---|---|---|")
    for name, run in runs.items():
        print(f"| {name} | {run['up_s']} | {run['rss_mb']:,} | {run['pss_mb']:,} | {run['source']} |")
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
