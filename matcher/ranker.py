"""Ranking one side for a batch of queries: a compiled path, and an exact dense path for the optional parts.

The compiled path (:mod:`matcher.postings`) sums the query terms' document columns, adds the boosts,
applies the filter and keeps the best ``k`` in one pass, parallel over queries; a short query's
coverage part then re-ranks its best candidates by text score. That is exact: a document outside
those candidates has no coverage part, so it can only win on text and boosts, and the kernel's own
best ``k`` already holds every such contender. The dense path scores every document (in chunks) and
serves the parts that need every score (pseudo-relevance feedback, the latent channel, the field
boost); with those off the two paths rank identically (tested).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .explain import Explanation, pair_reasons
from .filters import Boosts, Filters
from .index import Terms
from .postings import Ranking
from .rank import top_k
from .records import Achievement, Demand, Record
from .scoring import COVERAGE, Prepared, Scored
from .side import Side

SCORE_BUDGET = 1 << 25
"""Dense scores held at once by the dense path (32 M floats = 128 MB); batches are chunked to it."""


@dataclass(frozen=True)
class Match:
    """One ranked counterpart: ``score = text_score + sum(explanation.boosts.values())``.

    ``duplicates`` are the ids of near-duplicate copies of ``record`` (collapsed in the shortlist).
    """

    record: Achievement | Demand
    score: float
    text_score: float
    explanation: Explanation
    duplicates: tuple[str, ...] = ()


@dataclass(frozen=True)
class Options:
    k: int
    filters: Filters
    min_score: float
    explain: bool

    @property
    def floor(self) -> float:
        """Scores at or below this are dropped (no ``min_score``: anything that shares a term stays)."""
        return self.min_score - 1e-9 if self.min_score > 0 else -0.5


class Ranked(NamedTuple):
    """One query's best positions (best first), their scores, text scores and named text parts."""

    positions: np.ndarray
    scores: np.ndarray
    texts: np.ndarray
    parts: list[dict[str, float]]


_NO_EXPLANATION = Explanation(terms=[], reasons=[])


class Ranker:
    """Ranks one side's records for queries from the other side."""

    def __init__(self, side: Side, boosts: Boosts, *, query_is_demand: bool, dense: bool = False) -> None:
        self.side, self.boosts, self.query_is_demand = side, boosts, query_is_demand
        self.dense = dense or side.scorer.needs_dense or side.quality.field_boost > 0

    def rank(self, queries: Sequence[Record], options: Options) -> list[list[Match]]:
        side = self.side
        if not side.records or not queries:
            return [[] for _ in queries]
        mask = side.attributes.mask(options.filters)
        prepared = side.scorer.prepare(queries)
        if self.dense:
            return self._dense(queries, prepared, mask, options)
        combined = prepared.combined
        pairing = side.attributes.pairing(queries, self.boosts, query_is_demand=self.query_is_demand)
        covers = bool(prepared.short.any()) and side.scorer.params.coverage_weight > 0
        ranking = side.index.rank(
            combined,
            options.k,
            floor=options.floor,
            mask=mask,
            pairing=pairing,
            by_text=np.where(prepared.short, side.scorer.params.coverage_candidates, 0) if covers else 0,
            groups=side.group_codes,
        )
        positions, scores, texts = ranking.positions, ranking.scores, ranking.texts
        pools = self._coverage_pools(queries, prepared, ranking, mask, options) if covers else {}
        results = []
        for n, query in enumerate(queries):

            def fetch(wanted: int, n: int = n, query: Record = query) -> Ranked:
                if wanted <= options.k:
                    found = positions[n] >= 0
                    first = Ranked(positions[n][found], scores[n][found], texts[n][found], [])
                else:
                    first = self._kernel(Terms.row(combined, n), query, wanted, mask, options)
                return _merged(first, pools.get(n))

            results.append(self._matches(query, prepared, n, fetch, options))
        return results

    def _kernel(self, vector: Terms, query: Record, wanted: int, mask: np.ndarray | None, options: Options) -> Ranked:
        pairing = self.side.attributes.pairing([query], self.boosts, query_is_demand=self.query_is_demand)
        found, scores, texts = (
            row[0]
            for row in self.side.index.rank(
                vector, wanted, floor=options.floor, mask=mask, pairing=pairing, groups=self.side.group_codes
            )[:3]
        )
        keep = found >= 0
        return Ranked(found[keep], scores[keep], texts[keep], [])

    def _coverage_pools(
        self,
        queries: Sequence[Record],
        prepared: Prepared,
        ranking: Ranking,
        mask: np.ndarray | None,
        options: Options,
    ) -> dict[int, _Pool]:
        """Per short query: its best candidates by text score (from the kernel's same pass) with the
        coverage part and the boosts added; candidates the filter drops are left out."""
        scorer = self.side.scorer
        pools = {}
        for n in np.flatnonzero(prepared.short).tolist():
            kept = ranking.candidates[n] >= 0
            candidates, text = ranking.candidates[n][kept], ranking.candidate_texts[n][kept]
            coverage = scorer.coverage(Terms.row(prepared.combined, n), candidates)
            boosts = self.side.attributes.boosts(
                queries[n], self.boosts, query_is_demand=self.query_is_demand, rows=candidates
            )
            covered_text = text + coverage
            final = _boosted(covered_text, boosts)
            allowed = final > options.floor
            if mask is not None:
                allowed &= mask[candidates]
            pools[n] = _Pool(candidates[allowed], final[allowed], covered_text[allowed], coverage[allowed])
        return pools

    def _dense(
        self, queries: Sequence[Record], prepared: Prepared, mask: np.ndarray | None, options: Options
    ) -> list[list[Match]]:
        side = self.side
        chunk = max(1, SCORE_BUDGET // len(side.records))
        results: list[list[Match]] = []
        for start in range(0, len(queries), chunk):
            scored = side.scorer.score(prepared, slice(start, start + chunk))
            for offset in range(scored.total.shape[0]):
                n = start + offset
                final = self._dense_final(queries[n], prepared, n, scored, offset, mask)

                def fetch(
                    wanted: int, final: np.ndarray = final, scored: Scored = scored, offset: int = offset
                ) -> Ranked:
                    positions = top_k(final, wanted, floor=options.floor)
                    parts = [side.scorer.parts_at(scored, offset, int(p)) for p in positions]
                    return Ranked(positions, final[positions], scored.total[offset][positions], parts)

                results.append(self._matches(queries[n], prepared, n, fetch, options))
        return results

    def _dense_final(
        self, query: Record, prepared: Prepared, n: int, scored: Scored, offset: int, mask: np.ndarray | None
    ) -> np.ndarray:
        side = self.side
        text = scored.total[offset]
        parts = side.attributes.boosts(query, self.boosts, query_is_demand=self.query_is_demand)
        field = side.field_boost(query, prepared, n)
        if field is not None:
            parts["field"] = field
        final = _boosted(text, parts)
        final[~scored.shared[offset]] = -1.0  # nothing shared: never a match, whatever the boosts
        if mask is not None:
            final[~mask] = -1.0
        return final

    def _matches(
        self, query: Record, prepared: Prepared, n: int, fetch: Callable[[int], Ranked], options: Options
    ) -> list[Match]:
        side = self.side
        ranked, copies = _collapsed(side, fetch, options.k)
        positions = ranked.positions
        boosts = side.attributes.boosts(query, self.boosts, query_is_demand=self.query_is_demand, rows=positions)
        field = side.field_boost(query, prepared, n)
        if field is not None:
            boosts["field"] = field[positions]
        terms = side.scorer.explain(prepared, n, positions, ranked.parts, query) if options.explain else []
        matches = []
        for i, position in enumerate(positions.tolist()):
            record = side.records[position]
            explanation = _NO_EXPLANATION
            if options.explain:
                demand, achievement = (query, record) if self.query_is_demand else (record, query)
                explanation = Explanation(
                    terms=terms[i],
                    reasons=pair_reasons(demand, achievement),  # type: ignore[arg-type]
                    boosts={name: float(values[i]) for name, values in boosts.items() if values[i] > 0},
                )
            matches.append(Match(record, float(ranked.scores[i]), float(ranked.texts[i]), explanation, copies[i]))
        return matches


def _collapsed(side: Side, fetch: Callable[[int], Ranked], k: int) -> tuple[Ranked, list[tuple[str, ...]]]:
    """The best ``k``, one per near-duplicate group, each with its copies' ids (fetching more while needed)."""
    wanted = k
    while True:
        ranked = fetch(wanted)
        if not side.in_group[ranked.positions].any():
            return _first(ranked, k), [()] * min(k, len(ranked.positions))
        kept: list[int] = []
        copies: list[tuple[str, ...]] = []
        shown: set[int] = set()
        for i, position in enumerate(ranked.positions.tolist()):
            group = side.group_of.get(position)
            if group is None:
                kept.append(i)
                copies.append(())
            elif group[0] not in shown:
                shown.add(group[0])
                kept.append(i)
                own = side.records[position].id
                copies.append(tuple(other for other in side.group_ids[group[0]] if other != own))
            if len(kept) == k:
                break
        if len(kept) == k or len(ranked.positions) < wanted:
            picked = np.array(kept, dtype=np.int64)
            return Ranked(
                ranked.positions[picked], ranked.scores[picked], ranked.texts[picked], [ranked.parts[i] for i in kept]
            ), copies
        wanted *= 2


def _first(ranked: Ranked, k: int) -> Ranked:
    return Ranked(ranked.positions[:k], ranked.scores[:k], ranked.texts[:k], ranked.parts[:k])


class _Pool(NamedTuple):
    """A short query's coverage-ranked candidates: positions, final scores, text scores (coverage
    included) and the coverage parts."""

    positions: np.ndarray
    scores: np.ndarray
    texts: np.ndarray
    coverage: np.ndarray


def _merged(first: Ranked, pool: _Pool | None) -> Ranked:
    """``first`` and a coverage pool in one list, best first (a pooled score replaces the kernel's;
    ties: the lower position first, as everywhere).

    All of the pool is kept, not only as many as ``first`` holds: the pool may hold copies of the
    groups in ``first``, and the best ``k`` groups always lie in the union, so collapsing it never
    needs another kernel pass.
    """
    if pool is None or not len(pool.positions):
        return Ranked(first.positions, first.scores, first.texts, [{}] * len(first.positions))
    outside = ~np.isin(first.positions, pool.positions)
    positions = np.concatenate([first.positions[outside], pool.positions])
    scores = np.concatenate([first.scores[outside], pool.scores])
    texts = np.concatenate([first.texts[outside], pool.texts])
    coverage = np.concatenate([np.zeros(int(outside.sum()), dtype=np.float32), pool.coverage])
    order = np.lexsort((positions, -scores))
    parts = [{COVERAGE: float(c)} if c else {} for c in coverage[order].tolist()]
    return Ranked(positions[order], scores[order], texts[order], parts)


def _boosted(text: np.ndarray, boosts: dict[str, np.ndarray]) -> np.ndarray:
    """Text scores plus the named boosts, summed in the kernel's order (a new array, never ``text`` itself)."""
    return text + sum(boosts.values()) if boosts else text.copy()
