"""The Matcher facade: the one object the CLI, the batch script, the API and the notebooks use."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from . import __version__
from .errors import MatcherError, NotFittedError
from .filters import Boosts, Filters
from .index import IndexParams, TfidfIndex
from .ranker import Match, Options, Ranker
from .records import Achievement, Demand, Record
from .scoring import QualityParams
from .side import Side
from .tokenize import ChineseTokenizer

REFIT_UP_TO = 5_000
"""Indexes up to this many records (both sides) are refitted on every upsert: under a second or two."""


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
        quality: QualityParams | None = None,
    ) -> None:
        self.tokenizer = tokenizer or ChineseTokenizer()
        self.params = params or IndexParams()
        self.boosts = boosts or Boosts()
        self.quality = quality or QualityParams()

    def _new_index(self) -> TfidfIndex:
        return TfidfIndex(tokenizer=self.tokenizer, params=self.params)

    def fit(self, achievements: Sequence[Achievement], demands: Sequence[Demand] = ()) -> Matcher:
        """Index both sides; either may be empty (then that direction returns nothing)."""
        self.achievements_ = Side.build(achievements, self._new_index(), self.quality)
        self.demands_ = Side.build(demands, self._new_index(), self.quality)
        return self

    def upsert(self, *, achievements: Sequence[Achievement] = (), demands: Sequence[Demand] = ()) -> Matcher:
        """A new matcher with these records added, or replaced where the id exists; this one is unchanged.

        On a large index new rows use the current vocabulary and IDF (seconds, not a rebuild), so
        a word no record had before counts only after :meth:`refit`; an index of at most
        :data:`REFIT_UP_TO` records is refitted at once instead (cheap, and exact). Swapping the
        returned object in is atomic for concurrent readers.
        """
        current_a, current_d = self._sides()
        grown = self._with(
            current_a.upserted(achievements, self._new_index), current_d.upserted(demands, self._new_index)
        )
        if len(grown.achievements) + len(grown.demands) <= REFIT_UP_TO:
            return grown.refit()
        return grown

    def remove(self, *, achievement_ids: Sequence[str] = (), demand_ids: Sequence[str] = ()) -> Matcher:
        """A new matcher without these ids (unknown ids are ignored); this one is unchanged."""
        current_a, current_d = self._sides()
        return self._with(
            current_a.removed(set(achievement_ids), self._new_index),
            current_d.removed(set(demand_ids), self._new_index),
        )

    def refit(self) -> Matcher:
        """A new matcher fitted from scratch on the current records (fresh vocabulary and IDF)."""
        return self.blank().fit(self.achievements, self.demands)

    def blank(self) -> Matcher:
        """An unfitted matcher with this one's tokenizer and settings."""
        return Matcher(tokenizer=self.tokenizer, params=self.params, boosts=self.boosts, quality=self.quality)

    def _with(self, achievements: Side, demands: Side) -> Matcher:
        other = self.blank()
        other.achievements_, other.demands_ = achievements, demands
        return other

    def _sides(self) -> tuple[Side, Side]:
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

    def duplicate_groups(self, direction: str = "achievements") -> list[list[str]]:
        """Ids of near-duplicate records, one list per group, on the ``achievements`` or ``demands`` side."""
        achievements, demands = self._sides()
        if direction not in ("achievements", "demands"):
            raise MatcherError(f"direction must be 'achievements' or 'demands', got {direction!r}")
        return (achievements if direction == "achievements" else demands).duplicate_groups()

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
            self._sides()[0], demands, Options(k, filters or Filters(), min_score, explain), query_is_demand=True
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
            self._sides()[1], achievements, Options(k, filters or Filters(), min_score, explain), query_is_demand=False
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
        self, side: Side, queries: Sequence[Record], options: Options, *, query_is_demand: bool
    ) -> list[list[Match]]:
        if options.k < 1:
            raise MatcherError(f"k must be at least 1, got {options.k}")
        return Ranker(side, self.boosts, query_is_demand=query_is_demand).rank(queries, options)

    def settings(self) -> dict[str, Any]:
        """What decides how records are matched (saved as ``matcher.json``; the dictionaries are saved beside it)."""
        return {
            "version": __version__,
            "tokenizer": self.tokenizer.params(),
            "boosts": asdict(self.boosts),
            "index": asdict(self.params),
            "quality": asdict(self.quality),
        }

    def save(self, folder: str | Path) -> None:
        """A folder of plain files: settings, dictionaries, records (JSONL) and both indexes."""
        achievements, demands = self._sides()
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.tokenizer.user_dict, folder / "user_dict.txt")
        shutil.copyfile(self.tokenizer.stop_words_path, folder / "stopwords.txt")
        settings = json.dumps(self.settings(), ensure_ascii=False, indent=1)
        (folder / "matcher.json").write_text(settings, encoding="utf-8")
        for name, side in (("achievements", achievements), ("demands", demands)):
            with open(folder / f"{name}.jsonl", "w", encoding="utf-8") as out:
                for record in side.records:
                    out.write(record.model_dump_json() + "\n")
            if side.records:
                side.save(folder / f"{name}_index")

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
        matcher = cls(
            tokenizer=tokenizer,
            params=IndexParams(**settings["index"]),
            boosts=Boosts(**settings["boosts"]),
            quality=QualityParams(**settings.get("quality", {})),
        )
        sides = []
        for name, kind in (("achievements", Achievement), ("demands", Demand)):
            lines = (folder / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
            records = [kind.model_validate_json(line) for line in lines if line]
            if records:
                index = TfidfIndex.load(folder / f"{name}_index", tokenizer=tokenizer)
                sides.append(Side.load(folder / f"{name}_index", records, index, matcher.quality))
            else:
                sides.append(Side([], matcher._new_index(), matcher.quality))
        matcher.achievements_, matcher.demands_ = sides
        return matcher

    def save_rows(self, folder: str | Path) -> int:
        """Add the index rows to ``folder``, the one this matcher was loaded from, where it was saved without them.

        Returns how many indexes gained them (0 when the folder has them already): see :meth:`TfidfIndex.save_rows`.
        """
        sides = zip(("achievements", "demands"), self._sides(), strict=True)
        return sum(side.index.save_rows(Path(folder) / f"{name}_index") for name, side in sides if side.records)
