"""Interactive latency of the service: p50/p99 of ``POST /match`` over loopback with 10,000 achievements.

A script, not a test. It starts ``uvicorn api.main:create_app --factory`` on 127.0.0.1 with a fresh
SQLite file, imports sample-like achievements through ``POST /achievements:bulk``, refits, then times
sequential requests from one keep-alive client. The achievements recombine sentences of the CSL papers
(``../shared/data/csl/papers.jsonl``, read at run time) when that file exists, else of the repository's
own texts (tests/conftest.py and sample_data/), with a seeded RNG.

    .venv/bin/python benchmarks/api_latency.py [--records 10000] [--queries 500] [--writes 50]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CSL_PAPERS = ROOT.parent / "shared" / "data" / "csl" / "papers.jsonl"
REGIONS = [
    "湖北省武汉市",
    "湖北省宜昌市",
    "湖北省襄阳市",
    "广东省深圳市",
    "江苏省南京市",
    "上海市",
    "北京市",
    "云南省昆明市",
]
MATURITY = ["样品", "小试", "中试", "产业化", None]
MODES = ["技术转让", "技术许可", "作价入股", "合作开发", "技术服务"]
ASKING = ["求购", "寻求", "需要", "征集", ""]


@dataclass
class Pool:
    """Pieces to recombine: titles, sentences and keywords."""

    titles: list[str] = field(default_factory=list)
    sentences: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)

    def add(self, title: str, text: str, keywords: list[str]) -> None:
        self.titles.append(title)
        self.sentences += [s for s in re.split(r"(?<=[。；;！？])", text) if len(s) > 8]
        self.keywords += keywords


def csl_pool() -> Pool:
    pool = Pool()
    with open(CSL_PAPERS, encoding="utf-8") as lines:
        for line in lines:
            paper = json.loads(line)
            pool.add(paper["title"], paper["abstract"], paper.get("keywords", []))
    return pool


def repository_pool() -> Pool:
    from matcher.io import read_records
    from matcher.records import Achievement, Demand
    from matcher.samples import SAMPLE_DIR
    from tests.conftest import ACHIEVEMENTS, DEMANDS

    records = [*ACHIEVEMENTS, *DEMANDS]
    for name, kind in (("achievements.jsonl", Achievement), ("demands.jsonl", Demand)):
        if (SAMPLE_DIR / name).is_file():
            records += read_records(SAMPLE_DIR / name, kind)
    pool = Pool()
    for record in records:
        pool.add(record.title or record.description[:20], record.description, list(record.keywords))
    return pool


def achievements(pool: Pool, n: int, rng: random.Random) -> list[dict[str, object]]:
    rows = []
    for number in range(n):
        price = rng.choice([None, rng.randrange(10, 500)])
        rows.append(
            {
                "id": f"bench-{number:05d}",
                "title": rng.choice(pool.titles),
                "description": "".join(rng.sample(pool.sentences, k=min(4, len(pool.sentences)))),
                "keywords": rng.sample(pool.keywords, k=min(4, len(pool.keywords))),
                "region": rng.choice(REGIONS),
                "maturity": rng.choice(MATURITY),
                "cooperation_modes": rng.sample(MODES, k=rng.randint(1, 2)),
                "price": price,
            }
        )
    return rows


def queries(pool: Pool, n: int, rng: random.Random) -> list[str]:
    """Demand-like texts: a request word and one or two recombined sentences (at most 150 characters)."""
    return [(rng.choice(ASKING) + "".join(rng.sample(pool.sentences, k=rng.randint(1, 2))))[:150] for _ in range(n)]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(database: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TECHMATCH_DATABASE_URL": f"sqlite:///{database}", "TECHMATCH_MAX_BATCH": "1000"}
    env.pop("TECHMATCH_API_KEY", None)
    command = [sys.executable, "-m", "uvicorn", "api.main:create_app", "--factory", "--host", "127.0.0.1"]
    return subprocess.Popen([*command, "--port", str(port), "--log-level", "warning"], cwd=ROOT, env=env)


def wait_until_up(client: httpx.Client, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if client.get("/health").status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def timed(call: object) -> float:
    start = time.perf_counter()
    answer = call()  # type: ignore[operator]
    elapsed = (time.perf_counter() - start) * 1000
    answer.raise_for_status()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--writes", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    source = "CSL papers" if CSL_PAPERS.is_file() else "repository texts"
    pool = csl_pool() if CSL_PAPERS.is_file() else repository_pool()
    rows = achievements(pool, args.records + args.writes, rng)
    texts = queries(pool, args.queries + 20, rng)

    port = free_port()
    with tempfile.TemporaryDirectory(prefix="techmatch-bench-") as folder:
        server = start_server(Path(folder) / "bench.db", port)
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=600) as client:
                wait_until_up(client)
                start = time.perf_counter()
                for offset in range(0, args.records, 1000):
                    client.post(
                        "/achievements:bulk", json=rows[offset : min(offset + 1000, args.records)]
                    ).raise_for_status()
                imported = time.perf_counter() - start
                refit = timed(lambda: client.post("/index/rebuild", params={"wait": True})) / 1000
                for text in texts[:20]:  # warm-up
                    client.post("/match", json={"text": text})
                match = [timed(lambda t=t: client.post("/match", json={"text": t, "k": 10})) for t in texts[20:]]
                writes = [timed(lambda r=r: client.post("/achievements", json=r)) for r in rows[args.records :]]
                health = client.get("/health").json()
        finally:
            server.terminate()
            server.wait(30)

    report = {
        "achievements": health["records"]["achievements"],
        "features": health["index"]["achievements"]["features"],
        "source": source,
        "bulk_import_s": round(imported, 1),
        "refit_s": round(refit, 1),
        "match_p50_ms": round(percentile(match, 50), 1),
        "match_p99_ms": round(percentile(match, 99), 1),
        "match_mean_ms": round(sum(match) / len(match), 1),
        "write_p50_ms": round(percentile(writes, 50), 1) if writes else None,
        "write_p99_ms": round(percentile(writes, 99), 1) if writes else None,
        "queries": len(match),
        "writes": len(writes),
    }
    print(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
