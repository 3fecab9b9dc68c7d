"""The Matcher facade: the one object the CLI, the batch script, the API and the notebooks use."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__
from .errors import MatcherError, NotFittedError
from .explain import Explanation, pair_reasons, readable_terms
from .filters import Attributes, Boosts, Filters
from .index import IndexParams, TfidfIndex
from .rank import top_k
from .records import Achievement, Demand, Record
from .tokenize import ChineseTokenizer

_SCORE_BUDGET = 1 << 25
"""Dense scores held at once in a batch (32 M floats = 128 MB); batches are chunked to it."""


@dataclass(frozen=True)
class Match:
    """One ranked counterpart: ``score = text_score + sum(explanation.boosts.values())``."""

    record: Achievement | Demand
    score: float
    text_score: float
    explanation: Explanation


@dataclass(frozen=True)
class _Options:
    k: int
    filters: Filters
    min_score: float
    explain: bool


_NO_EXPLANATION = Explanation(terms=[], reasons=[])


class _Side:
    """One side of the market (achievements or demands): records, their index and attributes."""

    def __init__(self, records: Sequence[Record], index: TfidfIndex) -> None:
        self.records = list(records)
        self.index = index
        self.attributes = Attributes(self.records)
        self.positions = {r.id: n for n, r in enumerate(self.records)}


class Matcher:
    """Ranks achievements for demands and demands for achievements, with explanations.

    Examples
    --------
    >>> from matcher import Achievement, Demand, Matcher
    >>> matcher = Matcher().fit(
    ...     [Achievement(id="a1", title="湿法锂电池隔膜制备技术", description="湿法锂电池隔膜的中试工艺", region="湖北省武汉市"),
    ...      Achievement(id="a2", title="耐盐碱水稻新品种", description="耐盐碱水稻品种选育", region="江苏省南京市")])
    >>> best = matcher.match_demand(Demand(id="d1", description="求购锂电池隔膜生产工艺", region="湖北省襄阳市"))[0]
    >>> best.record.id, best.explanation.reasons
    ('a1', ['同一地区: 湖北'])
    """

    def __init__(
        self,
        *,
        tokenizer: ChineseTokenizer | None = None,
        params: IndexParams | None = None,
        boosts: Boosts | None = None,
    ) -> None:
        self.tokenizer = tokenizer or ChineseTokenizer()
        self.params = params or IndexParams()
        self.boosts = boosts or Boosts()

    def _new_index(self) -> TfidfIndex:
        return TfidfIndex(tokenizer=self.tokenizer, params=self.params)

    def fit(self, achievements: Sequence[Achievement], demands: Sequence[Demand] = ()) -> Matcher:
        """Index both sides; either may be empty (then that direction returns nothing)."""
        self.achievements_ = _Side(
            achievements, self._new_index().fit(achievements) if achievements else self._new_index()
        )
        self.demands_ = _Side(demands, self._new_index().fit(demands) if demands else self._new_index())
        return self

    def upsert(self, *, achievements: Sequence[Achievement] = (), demands: Sequence[Demand] = ()) -> Matcher:
        """A new matcher with these records added, or replaced where the id exists; this one is unchanged.

        New rows use the current vocabulary and IDF (seconds, not a rebuild); :meth:`refit`
        refreshes them. Swapping the returned object in is atomic for concurrent readers.
        """
        current_a, current_d = self._sides()
        return self._with(self._upserted(current_a, achievements), self._upserted(current_d, demands))

    def remove(self, *, achievement_ids: Sequence[str] = (), demand_ids: Sequence[str] = ()) -> Matcher:
        """A new matcher without these ids (unknown ids are ignored); this one is unchanged."""
        current_a, current_d = self._sides()
        return self._with(self._removed(current_a, set(achievement_ids)), self._removed(current_d, set(demand_ids)))

    def refit(self) -> Matcher:
        """A new matcher fitted from scratch on the current records (fresh vocabulary and IDF)."""
        return Matcher(tokenizer=self.tokenizer, params=self.params, boosts=self.boosts).fit(
            self.achievements, self.demands
        )

    def _with(self, achievements: _Side, demands: _Side) -> Matcher:
        other = Matcher(tokenizer=self.tokenizer, params=self.params, boosts=self.boosts)
        other.achievements_, other.demands_ = achievements, demands
        return other

    def _upserted(self, side: _Side, records: Sequence[Record]) -> _Side:
        if not records:
            return side
        side = self._removed(side, {r.id for r in records})
        if not side.records:  # empty, or every record replaced: nothing to extend
            return _Side(records, self._new_index().fit(records))
        return _Side(side.records + list(records), side.index.extended(records))

    def _removed(self, side: _Side, ids: set[str]) -> _Side:
        if not ids.intersection(side.positions):
            return side
        keep = np.array([r.id not in ids for r in side.records], dtype=bool)
        records = [r for r, kept in zip(side.records, keep, strict=True) if kept]
        return _Side(records, side.index.without(keep) if records else self._new_index())

    def _sides(self) -> tuple[_Side, _Side]:
        if not hasattr(self, "achievements_"):
            raise NotFittedError("The matcher is not fitted: call fit() or Matcher.load() first")
        return self.achievements_, self.demands_

    @property
    def achievements(self) -> list[Achievement]:
        return self._sides()[0].records  # type: ignore[return-value]

    @property
    def demands(self) -> list[Demand]:
        return self._sides()[1].records  # type: ignore[return-value]

    def describe(self) -> dict[str, dict[str, Any]]:
        """The size of each side's index: documents and features (terms of both channels)."""
        achievements, demands = self._sides()
        return {"achievements": achievements.index.describe(), "demands": demands.index.describe()}

    def match_demand(self, demand: Demand, **options: Any) -> list[Match]:
        """The best achievements for one demand; options as for :meth:`match_demands`."""
        return self.match_demands([demand], **options)[0]

    def match_demands(
        self,
        demands: Sequence[Demand],
        *,
        k: int = 10,
        filters: Filters | None = None,
        min_score: float = 0.0,
        explain: bool = True,
    ) -> list[list[Match]]:
        """The best ``k`` achievements for each demand (batch: one sparse product per chunk).

        ``min_score`` drops matches scoring below it; ``explain=False`` skips the explanations
        (for evaluation and bulk work where only ids and scores are needed).
        """
        return self._match(
            self._sides()[0], demands, _Options(k, filters or Filters(), min_score, explain), query_is_demand=True
        )

    def match_achievement(self, achievement: Achievement, **options: Any) -> list[Match]:
        """The best demands for one achievement (the reverse direction)."""
        return self.match_achievements([achievement], **options)[0]

    def match_achievements(
        self,
        achievements: Sequence[Achievement],
        *,
        k: int = 10,
        filters: Filters | None = None,
        min_score: float = 0.0,
        explain: bool = True,
    ) -> list[list[Match]]:
        """The best ``k`` demands for each achievement."""
        return self._match(
            self._sides()[1], achievements, _Options(k, filters or Filters(), min_score, explain), query_is_demand=False
        )

    def match_text(
        self, text: str, *, k: int = 10, filters: Filters | None = None, direction: str = "achievements"
    ) -> list[Match]:
        """Ad hoc search: free text against achievements (default) or demands."""
        if direction == "achievements":
            return self.match_demand(Demand(id="query", description=text), k=k, filters=filters)
        if direction == "demands":
            return self.match_achievement(Achievement(id="query", description=text), k=k, filters=filters)
        raise MatcherError(f"direction must be 'achievements' or 'demands', got {direction!r}")

    def _match(
        self, side: _Side, queries: Sequence[Record], options: _Options, *, query_is_demand: bool
    ) -> list[list[Match]]:
        if options.k < 1:
            raise MatcherError(f"k must be at least 1, got {options.k}")
        if not side.records or not queries:
            return [[] for _ in queries]
        mask = side.attributes.mask(options.filters)
        vectors = side.index.transform(queries)
        chunk = max(1, _SCORE_BUDGET // len(side.records))
        results: list[list[Match]] = []
        for start in range(0, len(queries), chunk):
            text_scores = side.index.scores(vectors[start : start + chunk])
            for offset, text in enumerate(text_scores):
                n = start + offset
                results.append(self._rank_one(side, queries[n], vectors[n], text, mask, options, query_is_demand))
        return results

    def _rank_one(
        self,
        side: _Side,
        query: Record,
        vector: object,
        text: np.ndarray,
        mask: np.ndarray | None,
        options: _Options,
        query_is_demand: bool,
    ) -> list[Match]:
        parts = side.attributes.boosts(query, self.boosts, query_is_demand=query_is_demand)
        final = text + sum(parts.values()) if parts else text.copy()
        final[text <= 0] = -1.0  # nothing shared: never a match, whatever the boosts
        if mask is not None:
            final[~mask] = -1.0
        matches = []
        floor = options.min_score - 1e-9 if options.min_score > 0 else -0.5
        for position in top_k(final, options.k, floor=floor):
            record = side.records[position]
            demand, achievement = (query, record) if query_is_demand else (record, query)
            if not options.explain:
                matches.append(Match(record, float(final[position]), float(text[position]), _NO_EXPLANATION))
                continue
            explanation = Explanation(
                terms=readable_terms(side.index.contributions(vector, position)),  # type: ignore[arg-type]
                reasons=pair_reasons(demand, achievement),  # type: ignore[arg-type]
                boosts={name: float(values[position]) for name, values in parts.items() if values[position] > 0},
            )
            matches.append(Match(record, float(final[position]), float(text[position]), explanation))
        return matches

    def save(self, folder: str | Path) -> None:
        """A folder of plain files: settings, dictionaries, records (JSONL) and both indexes."""
        achievements, demands = self._sides()
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.tokenizer.user_dict, folder / "user_dict.txt")
        shutil.copyfile(self.tokenizer.stop_words_path, folder / "stopwords.txt")
        settings = {
            "version": __version__,
            "tokenizer": self.tokenizer.params(),
            "boosts": asdict(self.boosts),
            "index": asdict(self.params),
        }
        (folder / "matcher.json").write_text(json.dumps(settings, ensure_ascii=False, indent=1), encoding="utf-8")
        for name, side in (("achievements", achievements), ("demands", demands)):
            with open(folder / f"{name}.jsonl", "w", encoding="utf-8") as out:
                for record in side.records:
                    out.write(record.model_dump_json() + "\n")
            if side.records:
                side.index.save(folder / f"{name}_index")

    @classmethod
    def load(cls, folder: str | Path) -> Matcher:
        """Rebuild a saved matcher exactly (no pickle: plain JSON, JSONL and array files)."""
        folder = Path(folder)
        settings_file = folder / "matcher.json"
        if not settings_file.is_file():
            raise MatcherError(f"{folder}: not a saved matcher (no matcher.json)")
        settings = json.loads(settings_file.read_text(encoding="utf-8"))
        tokenizer = ChineseTokenizer(
            user_dict=folder / "user_dict.txt", stop_words=folder / "stopwords.txt", **settings["tokenizer"]
        )
        matcher = cls(tokenizer=tokenizer, params=IndexParams(**settings["index"]), boosts=Boosts(**settings["boosts"]))
        sides = []
        for name, kind in (("achievements", Achievement), ("demands", Demand)):
            lines = (folder / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
            records = [kind.model_validate_json(line) for line in lines if line]
            index = TfidfIndex.load(folder / f"{name}_index", tokenizer=tokenizer) if records else matcher._new_index()
            sides.append(_Side(records, index))
        matcher.achievements_, matcher.demands_ = sides
        return matcher
