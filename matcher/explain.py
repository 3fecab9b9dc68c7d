"""Why a pair was matched: the shared terms with their part of the score, and the reasons."""

from __future__ import annotations

from collections.abc import Callable, Container
from dataclasses import dataclass, field

from .features import MAX_GRAM
from .filters import money_of
from .index import CHAR_PREFIX
from .records import Achievement, Demand
from .regions import province_of
from .text import normalize

SINGLE_CHARACTERS = "（单字）"
"""Label under which shared single characters of the character channel are summed."""


@dataclass(frozen=True)
class Explanation:
    """``terms`` add up to the text score; ``boosts`` add up to the rest of the score."""

    terms: list[tuple[str, float]]
    reasons: list[str]
    boosts: dict[str, float] = field(default_factory=dict)


class QueryWords:
    """Where the words of a query lie in its text: tells a word from a fragment of one or two words.

    Built with the tokenizer that feeds the word channel, over the normalised text the character
    channel cuts into grams; stop words are not words, so 的方 (的|方法) is a fragment.
    ``known`` are words beyond the query's own (the index's word vocabulary): 隔膜 inside the query
    word 锂电池隔膜 is still a word, 池隔 is not.
    """

    def __init__(self, text: str, tokenizer: Callable[[str], list[str]], known: Container[str] = ()) -> None:
        self.text = normalize(text)
        self.known = known
        self.spans: list[tuple[int, int]] = []
        cursor = 0
        for word in tokenizer(self.text):
            start = self.text.find(word, cursor)
            if start >= 0:
                self.spans.append((start, start + len(word)))
                cursor = start + len(word)
        self.words = {self.text[s:e] for s, e in self.spans}
        self._fragments: dict[str, list[str] | None] = {}
        self._pieces: dict[str, tuple[str, ...]] = {}
        self._homes: dict[str, tuple[str, ...]] = {}

    def fragment(self, gram: str) -> list[str] | None:
        """The query words a fragment ``gram`` lies in or across; None when it reads as a word.

        A gram reads as a word when it is a word of the query or a known word lying inside one,
        or when it is not in the text at all (nothing to tell). An empty list: it touches no word.
        Remembered per gram (each of a query's explanations asks again): read the list, never change it.
        """
        if gram not in self._fragments:
            self._fragments[gram] = self._fragment(gram)
        return self._fragments[gram]

    def pieces(self, word: str) -> tuple[str, ...]:
        """Every piece of ``word`` up to :data:`MAX_GRAM` characters, shortest first (remembered per word)."""
        if word not in self._pieces:
            self._pieces[word] = tuple(
                word[start : start + size]
                for size in range(1, min(len(word), MAX_GRAM) + 1)
                for start in range(len(word) - size + 1)
            )
        return self._pieces[word]

    def homes(self, gram: str) -> tuple[str, ...]:
        """The words that may take a share of the fragment ``gram``: every piece of a query word it
        touches that holds one of its characters (remembered per gram). A pair's shown words are
        looked up here, instead of each shown word being tried against every fragment."""
        if gram not in self._homes:
            characters = set(gram)
            self._homes[gram] = tuple(
                dict.fromkeys(
                    around[start:end]
                    for around in self.fragment(gram) or ()
                    for start in range(len(around))
                    for end in range(start + 1, len(around) + 1)
                    if characters.intersection(around[start:end])
                )
            )
        return self._homes[gram]

    def _fragment(self, gram: str) -> list[str] | None:
        if gram in self.words or gram not in self.text:
            return None
        around: list[str] = []
        start = self.text.find(gram)
        while start >= 0:
            end = start + len(gram)
            covering = [(s, e) for s, e in self.spans if s < end and e > start]
            if gram in self.known and any(s <= start and end <= e for s, e in covering):
                return None
            around += [self.text[s:e] for s, e in covering if self.text[s:e] not in around]
            start = self.text.find(gram, start + 1)
        return around


def readable_terms(contributions: list[tuple[str, float]], query: QueryWords) -> list[tuple[str, float]]:
    """Fold character n-grams into words a broker can read, keeping the sum exact.

    - a gram inside a shared word (the word channel matched it) goes to that word;
    - a gram that is a word of ``query`` (隔膜), or a known word inside one, stays as itself;
    - a fragment, a pair across a word boundary of the query (度处 from 深度|处理, 的方 from
      的|方法) or a non-word piece of one query word (品开 in 产品开发), is split evenly among the
      shown words that hold one of its characters within the query words it touches (深度 and
      处理; 开发): the pair is evidence of those words standing as they do in the query, in both
      texts. With no such word it goes with the lone characters. We fold rather than add a
      bucket such as （跨词字对）: on the CSL demands about two fragments in three touch a shown
      word; the others (的培 of 的|组培 when 组培 is not shared) are characters matched piecemeal,
      which is what :data:`SINGLE_CHARACTERS` already says; a new label would be one more
      non-term for readers and the page to explain;
    - lone single characters are summed under :data:`SINGLE_CHARACTERS`.
    """
    words: dict[str, float] = {}
    grams: list[tuple[str, float]] = []
    for term, weight in contributions:
        if term.startswith(CHAR_PREFIX):
            grams.append((term[len(CHAR_PREFIX) :], weight))
        else:
            words[term] = weight
    home_of: dict[str, str] = {}  # every short piece of a shared word -> the longest shared word holding it
    for word in reversed(sorted(words, key=len, reverse=True)):  # the longest (then the first) is set last, and wins
        for piece in query.pieces(word):
            home_of[piece] = word
    merged = dict(words)
    fragments: list[tuple[str, float]] = []
    for gram, weight in grams:
        home = home_of.get(gram)
        if home is None and len(gram) == 1:
            home = SINGLE_CHARACTERS
        elif home is None:
            if query.fragment(gram) is not None:
                fragments.append((gram, weight))
                continue
            home = gram
        merged[home] = merged.get(home, 0.0) + weight
    shown = merged.keys() - {SINGLE_CHARACTERS}
    for gram, weight in fragments:
        homes = [word for word in query.homes(gram) if word in shown] or [SINGLE_CHARACTERS]
        for home in homes:
            merged[home] = merged.get(home, 0.0) + weight / len(homes)
    return sorted(merged.items(), key=lambda item: -item[1])


def pair_reasons(demand: Demand, achievement: Achievement) -> list[str]:
    """Plain-language reasons a broker can repeat to both sides (region, maturity, modes, money)."""
    reasons = []
    province = province_of(demand.region)
    if province and province == province_of(achievement.region):
        reasons.append(f"同一地区: {province}")
    if achievement.maturity is not None:
        if demand.maturity is None:
            reasons.append(f"成熟度: {achievement.maturity.value}")
        elif achievement.maturity.rank >= demand.maturity.rank:
            reasons.append(f"成熟度满足: {achievement.maturity.value}（需求 ≥ {demand.maturity.value}）")
        else:
            reasons.append(f"成熟度不足: {achievement.maturity.value}（需求 ≥ {demand.maturity.value}）")
    shared = [m.value for m in achievement.cooperation_modes if m in demand.cooperation_modes]
    if shared:
        reasons.append("合作方式一致: " + "、".join(shared))
    if demand.field and achievement.field and demand.field.split("/")[0] == achievement.field.split("/")[0]:
        reasons.append(f"同一领域: {achievement.field}")
    budget, price = money_of(demand), money_of(achievement)
    if budget is not None and price is not None:
        reasons.append(
            f"报价在预算内: {price:g} ≤ {budget:g} 万元"
            if price <= budget
            else f"报价超出预算: {price:g} > {budget:g} 万元"
        )
    return reasons
