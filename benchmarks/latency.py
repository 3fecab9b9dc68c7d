"""Query latency with the quality additions against the engine without them.

    python benchmarks/latency.py --csl ../shared/data/csl [--queries 300]

Single queries through ``Matcher.match_demand`` (k=10, with explanations, as the API serves
them, the configurations taking turns on each query) and one batch of all title queries (``explain=False``, as evaluation runs them); the
query mix takes titles, demands and search-box queries in turn. Printed: mean and 95th
percentile milliseconds per single query, batch seconds, and the ratios to the plain engine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from matcher import Achievement, Demand, Matcher
from matcher.scoring import QualityParams

PLAIN = QualityParams(
    expand=False, feedback=False, coverage_weight=0.0, semantic=False, fill_fields=False, field_boost=0.0, dedupe=False
)


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def interleaved(matchers: dict[str, Matcher], queries: list[Demand], rounds: int) -> dict[str, list[float]]:
    """Milliseconds per query for each matcher, taking turns on every query (fair on a busy machine)."""
    times: dict[str, list[float]] = {name: [] for name in matchers}
    for _ in range(rounds):
        for n, query in enumerate(queries):
            names = list(matchers)
            for name in names[n % len(names) :] + names[: n % len(names)]:  # rotate who goes first
                matcher = matchers[name]
                start = time.perf_counter()
                matcher.match_demand(query, k=10)
                times[name].append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csl", type=Path, default=Path("../shared/data/csl"))
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    corpus = [Achievement.model_validate(row) for row in lines(args.csl / "corpus.jsonl")]
    pools = [lines(args.csl / f"{name}.jsonl") for name in ("queries_title", "demands", "demands_gap")]
    mixed = [pool[n % len(pool)] for n in range(args.queries) for pool in pools][: args.queries]
    queries = [Demand(id=q["qid"], description=q["text"]) for q in mixed]
    titles = [Demand(id=q["qid"], description=q["text"]) for q in pools[0]]
    configs = {"plain engine": PLAIN, "default": QualityParams(), "default + semantic": QualityParams(semantic=True)}
    matchers = {name: Matcher(quality=quality).fit(corpus) for name, quality in configs.items()}
    interleaved(matchers, queries[:20], 1)  # warm-up: thesaurus, caches, duplicate groups
    times = interleaved(matchers, queries, args.rounds)
    batches = {}
    for name, matcher in matchers.items():
        start = time.perf_counter()
        matcher.match_demands(titles, k=100, explain=False)
        batches[name] = time.perf_counter() - start
    print(f"{len(corpus)} documents, {len(queries)} single queries x {args.rounds}, batch of {len(titles)} titles\n")
    print("| configuration | mean ms | p95 ms | × plain (mean) | batch s | × plain (batch) |")
    print("|---|---|---|---|---|---|")
    base = statistics.fmean(times["plain engine"]), batches["plain engine"]
    for name in matchers:
        ordered = sorted(times[name])
        mean, p95 = statistics.fmean(ordered), ordered[int(0.95 * (len(ordered) - 1))]
        print(
            f"| {name} | {mean:.1f} | {p95:.1f} | {mean / base[0]:.2f} | {batches[name]:.2f} "
            f"| {batches[name] / base[1]:.2f} |"
        )


if __name__ == "__main__":
    main()
