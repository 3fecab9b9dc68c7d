"""Speed and scale of techmatch against bm25s, tantivy and scikit-learn + sparse_dot_topn, in one run.

    python benchmarks/run.py --size N [--json FILE]

Makes (once per size and seed) a corpus of N achievements and 10,000 demands from
../shared/data/csl, tokenises it once for the peers (our pipeline, on every core; its time is
part of every peer's cold build), then measures each system in its own process so each peak
memory is its own: cold build, memory, index size on disk, single-query latency, batch
throughput and agreement of the top 10 with exact scoring. Peers that cannot be imported are
reported as missing. Nothing here is collected by the test suite.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import corpus  # noqa: E402
from benchmarks.systems import MODULES, SYSTEMS  # noqa: E402

EXTRA = 1_000
"""Achievements added to the built index to time an incremental update."""
BATCH = 50_000
"""Records generated and tokenised at a time while preparing (bounded memory at 10^6)."""


def _write_jsonl(path: Path, rows: Any) -> None:
    with open(path, "w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def prepare(work: Path, size: int, n_queries: int, seed: int) -> dict[str, Any]:
    """Corpus, queries and the peers' tokens in ``work`` (reused when already there), in batches."""
    work.mkdir(parents=True, exist_ok=True)
    done = work / "prepared.json"
    if done.is_file():
        facts = json.loads(done.read_text())
        if facts.get("n_demands", 0) >= n_queries:
            return facts  # type: ignore[no-any-return]
    papers = corpus.load_papers()
    facts = {"n_docs": size, "n_demands": n_queries, "characters": 0, "tokens": 0, "generate_s": 0.0}
    facts["peer_tokenize_s"] = 0.0
    rows = corpus.achievements(size + EXTRA, seed=seed, papers=papers)
    with (
        multiprocessing.get_context("fork").Pool(os.cpu_count() or 1) as pool,
        open(work / "achievements.jsonl", "w", encoding="utf-8") as records,
        open(work / "doc_tokens.txt", "w", encoding="utf-8") as tokens,
    ):
        for start in range(0, size, BATCH):
            clock = time.perf_counter()
            batch = [next(rows) for _ in range(min(BATCH, size - start))]
            facts["generate_s"] += time.perf_counter() - clock
            records.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in batch)
            texts = [" ".join([r["title"], " ".join(r["keywords"]), r["description"]]) for r in batch]
            clock = time.perf_counter()
            words = tokenize_all(pool, texts)
            facts["peer_tokenize_s"] += time.perf_counter() - clock
            tokens.writelines(" ".join(t) + "\n" for t in words)
            facts["characters"] += sum(map(len, texts))
            facts["tokens"] += sum(map(len, words))
        _write_jsonl(work / "extra.jsonl", ({**r, "id": f"x{r['id']}"} for r in rows))
        demands = list(corpus.demands(n_queries, seed=seed + 1, papers=papers))
        _write_jsonl(work / "demands.jsonl", demands)
        query_tokens = tokenize_all(pool, [d["title"] for d in demands])
    (work / "query_tokens.txt").write_text("".join(" ".join(t) + "\n" for t in query_tokens), encoding="utf-8")
    facts["tokens_per_doc"] = round(facts.pop("tokens") / max(1, size), 1)
    facts["generate_s"], facts["peer_tokenize_s"] = round(facts["generate_s"], 1), round(facts["peer_tokenize_s"], 2)
    done.write_text(json.dumps(facts))
    return facts


def _tokenize(texts: list[str]) -> list[list[str]]:
    from matcher import ChineseTokenizer

    tokenizer = ChineseTokenizer()
    return [tokenizer(t) for t in texts]


def tokenize_all(pool: Any, texts: list[str]) -> list[list[str]]:
    """Our word pipeline over every text, on every core (the peers' pre-tokenised input)."""
    step = max(1, len(texts) // (4 * (os.cpu_count() or 1)) + 1)
    chunks = [texts[i : i + step] for i in range(0, len(texts), step)]
    return [tokens for chunk in pool.map(_tokenize, chunks) for tokens in chunk]


def run_child(system: str, work: Path, n_queries: int, n_batch: int, extra: list[str] | None = None) -> dict[str, Any]:
    """Run one step (a system, or preparing the corpus) in a fresh process: its memory is its own."""
    command = [sys.executable, __file__, "--child", system, "--work", str(work)]
    command += ["--queries", str(n_queries), "--batch", str(n_batch), *(extra or [])]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    lines = done.stdout.strip().splitlines()
    if done.returncode == 0 and lines:
        return json.loads(lines[-1])  # type: ignore[no-any-return]
    return {"system": system, "status": "failed", "error": done.stderr.strip().splitlines()[-3:]}


def child(system: str, work: Path, n_queries: int, n_batch: int) -> dict[str, Any]:
    try:
        __import__(MODULES[system])
    except ImportError as error:
        return {"system": system, "status": "missing", "error": str(error)}
    return {"system": system, "status": "measured", **SYSTEMS[system](work, n_queries, n_batch)}


COLUMNS = [
    ("system", "system"),
    ("build_s", "build s"),
    ("build_tokens_s", "from tokens s"),
    ("peak_rss_mb", "peak MB"),
    ("disk_mb", "disk MB"),
    ("p50_ms", "p50 ms"),
    ("p95_ms", "p95 ms"),
    ("p99_ms", "p99 ms"),
    ("bare_p50_ms", "bare p50"),
    ("bare_p99_ms", "bare p99"),
    ("batch_qps", "batch q/s"),
    ("top10_overlap", "top10 vs exact"),
]


def table(results: list[dict[str, Any]]) -> str:
    """A Markdown table of the main figures (all figures are in the JSON)."""
    lines = ["| " + " | ".join(title for _, title in COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for row in results:
        if row.get("status") != "measured":
            lines.append(f"| {row['system']} | {row.get('status')}: {row.get('error')} |")
            continue
        lines.append("| " + " | ".join(str(row.get(key, "")) for key, _ in COLUMNS) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=10_000, help="achievements in the corpus (10^4, 10^5, 10^6)")
    parser.add_argument("--json", type=Path, help="write the results as a JSON list, one object per system")
    parser.add_argument("--queries", type=int, default=1_000, help="queries timed one at a time")
    parser.add_argument("--batch", type=int, default=10_000, help="queries in the batch")
    parser.add_argument("--systems", default=",".join(SYSTEMS), help="comma-separated subset to measure")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work", type=Path, help="folder for the corpus and indexes (default: benchmarks/.work/N)")
    parser.add_argument("--child", choices=[*SYSTEMS, "prepare"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    work = args.work or ROOT / "benchmarks" / ".work" / f"{args.size}-{args.seed}"
    if args.child == "prepare":
        print(json.dumps(prepare(work, args.size, max(args.queries, args.batch), args.seed)))
        return
    if args.child:
        print(json.dumps(child(args.child, work, args.queries, args.batch), ensure_ascii=False))
        return
    facts = run_child("prepare", work, args.queries, args.batch, ["--size", str(args.size), "--seed", str(args.seed)])
    if "n_docs" not in facts:
        sys.exit(f"preparing the corpus failed: {facts.get('error')}")
    print(f"corpus: {json.dumps(facts)}; machine: {platform.platform()}, {os.cpu_count()} cores", flush=True)
    results = []
    for system in args.systems.split(","):
        result = run_child(system, work, args.queries, args.batch)
        result = {"system": system, "n_docs": args.size, **result}
        if system != "techmatch" and "build_tokens_s" in result:
            result["tokenize_s"] = facts["peer_tokenize_s"]
            result["build_s"] = round(facts["peer_tokenize_s"] + result["build_tokens_s"], 2)
        results.append(result)
        print(f"{system}: {json.dumps(result, ensure_ascii=False)}", flush=True)
        if args.json:  # written after each system, so a long run that is stopped keeps what it measured
            args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1))
    print(table(results))


if __name__ == "__main__":
    main()
