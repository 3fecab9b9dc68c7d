"""Each quality component on and off against the plain engine, on every CSL query set and subset.

    python benchmarks/quality.py --csl ../shared/data/csl [--only NAME ...]

Prints a Markdown table of MRR@10 (rows: configurations; columns: query sets and their
``kind``/``tier`` subsets). One configuration = one Matcher fitted on the corpus. The field boost
needs fields on the corpus: its rows use CSL ``category/discipline`` as the field (the way a
platform's records carry one), predicted for the queries by the classifier.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from matcher import Achievement, Demand, Matcher
from matcher.evaluate import Judged, summarize
from matcher.scoring import QualityParams

OFF = QualityParams(
    expand=False, feedback=False, coverage_weight=0.0, semantic=False, fill_fields=False, field_boost=0.0, dedupe=False
)
DEFAULT = QualityParams()
CONFIGS: dict[str, tuple[QualityParams, bool]] = {
    "baseline (all off)": (OFF, False),
    "+ expansion (thesaurus + 词林)": (QualityParams(**{**vars(OFF), "expand": True}), False),
    "+ expansion, domain thesaurus only": (QualityParams(**{**vars(OFF), "expand": True, "cilin_weight": 0.0}), False),
    "+ feedback (PRF)": (QualityParams(**{**vars(OFF), "feedback": True}), False),
    "+ coverage": (QualityParams(**{**vars(OFF), "coverage_weight": 0.3}), False),
    "+ semantic (LSA)": (QualityParams(**{**vars(OFF), "semantic": True}), False),
    "+ field boost (fields = category/discipline)": (QualityParams(**{**vars(OFF), "field_boost": 0.02}), True),
    "+ dedupe": (QualityParams(**{**vars(OFF), "dedupe": True}), False),
    "default": (DEFAULT, False),
    "default + field boost (fields = category/discipline)": (
        QualityParams(**{**vars(DEFAULT), "field_boost": 0.02}),
        True,
    ),
    "default − expansion": (QualityParams(**{**vars(DEFAULT), "expand": False}), False),
    "default − coverage": (QualityParams(**{**vars(DEFAULT), "coverage_weight": 0.0}), False),
    "default + feedback": (QualityParams(**{**vars(DEFAULT), "feedback": True}), False),
    "default + semantic": (QualityParams(**{**vars(DEFAULT), "semantic": True}), False),
}
SETS = ("queries_title", "queries_keywords", "demands", "demands_gap")


def load(csl: Path) -> tuple[list[dict], dict[str, list[dict]]]:
    corpus = [json.loads(line) for line in (csl / "corpus.jsonl").read_text(encoding="utf-8").splitlines()]
    sets = {
        name: [json.loads(line) for line in (csl / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()]
        for name in SETS
    }
    return corpus, sets


def columns(sets: dict[str, list[dict]]) -> list[tuple[str, str, str | None]]:
    """(set, label, subset key=value or None) for every set and its kind/tier subsets."""
    found = []
    for name, queries in sets.items():
        found.append((name, name, None))
        for key in ("kind", "tier"):
            values = sorted({q[key] for q in queries if q.get(key)})
            if len(values) > 1:
                found.extend((name, f"{name} {key}={v}", f"{key}={v}") for v in values)
    return found


def evaluate(matcher: Matcher, sets: dict[str, list[dict]]) -> dict[str, float]:
    result = {}
    for name, queries in sets.items():
        ranked = matcher.match_demands(
            [Demand(id=q["qid"], description=q["text"]) for q in queries], k=10, explain=False
        )
        judged = [
            Judged([m.record.id for m in ms], frozenset(q["relevant"])) for ms, q in zip(ranked, queries, strict=True)
        ]
        result[name] = summarize(judged)["MRR@10"]
        for key in ("kind", "tier"):
            for value in {q.get(key) for q in queries if q.get(key)}:
                subset = [j for j, q in zip(judged, queries, strict=True) if q.get(key) == value]
                result[f"{name} {key}={value}"] = summarize(subset)["MRR@10"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csl", type=Path, default=Path("../shared/data/csl"))
    parser.add_argument("--only", nargs="*", help="configuration names to run (default: all)")
    args = parser.parse_args()
    corpus, sets = load(args.csl)
    plain = [Achievement.model_validate(row) for row in corpus]
    with_fields = [
        Achievement.model_validate({**row, "field": f"{row['category']}/{row['discipline']}"}) for row in corpus
    ]
    labels = [label for _, label, _ in columns(sets)]
    print("| configuration | " + " | ".join(labels) + " | fit s |")
    print("|---" * (len(labels) + 2) + "|")
    for name, (quality, fields) in CONFIGS.items():
        if args.only and name not in args.only:
            continue
        start = time.perf_counter()
        matcher = Matcher(quality=quality).fit(with_fields if fields else plain)
        fit = time.perf_counter() - start
        scores = evaluate(matcher, sets)
        print(f"| {name} | " + " | ".join(f"{scores[label]:.4f}" for label in labels) + f" | {fit:.0f} |", flush=True)


if __name__ == "__main__":
    main()
