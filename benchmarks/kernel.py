"""The ranking kernel alone on a saved index: latency per query kind and the share of postings it reads.

    python benchmarks/kernel.py [--work benchmarks/.work/100000-0] [--queries 300]

Reads the matcher that ``benchmarks/run.py`` saved in ``WORK/techmatch_index`` and the demands of
``WORK/demands.jsonl``, then times ``TfidfIndex.rank`` one query at a time, as a ``/match`` calls it:
the demand's ``min_maturity`` filter, its region/maturity/mode boosts, 10 results, one per
near-duplicate group, with and without a short query's 100 best-by-text candidates. Query kinds: the
demand title alone, and the whole demand. ``read`` is the postings the pruned pass read against all
postings of the query's terms (what the kernel read before pruning). Not collected by the tests.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from matcher import Demand, Filters, Matcher  # noqa: E402

K = 10


def measure(work: Path, n_queries: int) -> list[dict[str, object]]:
    matcher = Matcher.load(work / "techmatch_index")
    side = matcher.achievements_
    index = side.index
    lines = (work / "demands.jsonl").read_text(encoding="utf-8").splitlines()[:n_queries]
    demands = [Demand.model_validate_json(line) for line in lines]
    kinds = {
        "title": [d.model_copy(update={"title": "", "description": d.title, "keywords": []}) for d in demands],
        "whole demand": demands,
    }
    postings = np.diff(np.asarray(index.segments_[0][0].indptr)) + np.diff(np.asarray(index.segments_[1][0].indptr))
    index.rank(side.scorer.prepare(demands[:1]).combined, K)  # the pruning bounds are computed on first use
    rows = []
    for kind, queries in kinds.items():
        prepared = side.scorer.prepare(queries)
        pairing = side.attributes.pairing(queries, matcher.boosts, query_is_demand=True)
        for candidates in (0, side.scorer.params.coverage_candidates):
            times, read, total = [], [], []
            for n, query in enumerate(queries):
                vector = prepared.combined[n]
                mask = side.attributes.mask(Filters(min_maturity=query.maturity))
                one = pairing._replace(query=pairing.query[n : n + 1])
                start = time.perf_counter()
                ranking = index.rank(vector, K, mask=mask, pairing=one, by_text=candidates, groups=side.group_codes)
                times.append(time.perf_counter() - start)
                read.append(int(ranking.read[0]))
                total.append(int(postings[vector.indices].sum()))
            rows.append(
                {
                    "queries": kind,
                    "text candidates": candidates,
                    "p50_ms": round(float(np.percentile(times, 50)) * 1e3, 2),
                    "p99_ms": round(float(np.percentile(times, 99)) * 1e3, 2),
                    "postings / n_docs": round(float(np.mean(total)) / len(index), 2),
                    "read": round(float(np.sum(read)) / float(np.sum(total)), 3),
                }
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks" / ".work" / "100000-0")
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    if not (args.work / "techmatch_index").is_dir():
        sys.exit(f"no saved index in {args.work}: run `python benchmarks/run.py --size N` first")
    rows = measure(args.work, args.queries)
    print("| " + " | ".join(rows[0]) + " |")
    print("|" + "---|" * len(rows[0]))
    for row in rows:
        print("| " + " | ".join(str(v) for v in row.values()) + " |")


if __name__ == "__main__":
    main()
