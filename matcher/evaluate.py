"""Ranking quality: MRR@10, Recall@k and nDCG@10 from known right answers."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Judged:
    """One query's ranked ids, its right ids and, where known, disciplines to compare."""

    ranked: Sequence[str]
    relevant: frozenset[str]
    discipline: str | None = None
    ranked_disciplines: Sequence[str | None] = ()


def reciprocal_rank(ranked: Sequence[str], relevant: frozenset[str], k: int = 10) -> float:
    for position, doc in enumerate(ranked[:k], start=1):
        if doc in relevant:
            return 1.0 / position
    return 0.0


def recall(ranked: Sequence[str], relevant: frozenset[str], k: int) -> float:
    return len(relevant.intersection(ranked[:k])) / len(relevant) if relevant else 0.0


def ndcg(ranked: Sequence[str], relevant: frozenset[str], k: int = 10) -> float:
    """Binary-gain nDCG: gain 1 for a right id at rank r, discounted by log2(r + 1)."""
    dcg = sum(1.0 / math.log2(r + 1) for r, doc in enumerate(ranked[:k], start=1) if doc in relevant)
    ideal = sum(1.0 / math.log2(r + 1) for r in range(1, min(len(relevant), k) + 1))
    return dcg / ideal if ideal else 0.0


def summarize(judged: Sequence[Judged]) -> dict[str, float | int]:
    """Mean metrics over queries; ``discipline@10`` only where queries carry a discipline."""
    n = len(judged)
    if n == 0:
        return {"queries": 0}
    result: dict[str, float | int] = {
        "MRR@10": sum(reciprocal_rank(j.ranked, j.relevant) for j in judged) / n,
        "Recall@1": sum(recall(j.ranked, j.relevant, 1) for j in judged) / n,
        "Recall@10": sum(recall(j.ranked, j.relevant, 10) for j in judged) / n,
        "Recall@100": sum(recall(j.ranked, j.relevant, 100) for j in judged) / n,
        "nDCG@10": sum(ndcg(j.ranked, j.relevant) for j in judged) / n,
    }
    with_discipline = [j for j in judged if j.discipline and j.ranked_disciplines]
    if with_discipline:
        shares = [
            sum(d == j.discipline for d in j.ranked_disciplines[:10]) / min(10, len(j.ranked_disciplines))
            for j in with_discipline
        ]
        result["discipline@10"] = sum(shares) / len(shares)
    result["queries"] = n
    return result
