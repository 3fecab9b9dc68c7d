"""Why a pair was matched: the shared terms with their part of the score, and the reasons."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass, field

import numpy as np

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
        self._starts = [s for s, _ in self.spans]  # spans follow one another: both sorted, for bisect
        self._ends = [e for _, e in self.spans]
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
            self._homes[gram] = tuple(
                dict.fromkeys(
                    around[start:end]
                    for around in self.fragment(gram) or ()
                    for start, hit in _first_hits(around, set(gram))
                    for end in range(hit + 1, len(around) + 1)
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
            covering = self.spans[bisect_right(self._ends, start) : bisect_left(self._starts, end)]
            if gram in self.known and any(s <= start and end <= e for s, e in covering):
                return None
            around += [self.text[s:e] for s, e in covering if self.text[s:e] not in around]
            start = self.text.find(gram, start + 1)
        return around


def _first_hits(word: str, characters: set[str]) -> list[tuple[int, int]]:
    """Each start in ``word`` with the first position from it holding one of ``characters``: the
    pieces starting there that hold one are those reaching past that position."""
    hits, after = [], len(word)
    for position in range(len(word) - 1, -1, -1):
        if word[position] in characters:
            after = position
        if after < len(word):
            hits.append((position, after))
    return hits[::-1]


def readable_terms(labels: Sequence[str], parts: np.ndarray, query: QueryWords) -> list[list[tuple[str, float]]]:
    """Fold character n-grams into words a broker can read, keeping each pair's sum exact.

    ``parts`` holds one row a pair, one column a term named in ``labels`` (0 where the pair does not
    share it), as :meth:`TfidfIndex.shared_parts` gives them; each pair's terms are read in its
    contribution order, largest first. For each pair:

    - a gram inside a shared word (the word channel matched it) goes to the longest such word (the
      first in contribution order among the longest);
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

    Sums are taken in float64 in a fixed order (words, then grams, then fragments' shares, each in
    contribution order) and ties in the result keep the order in which their names first came: the
    same numbers whichever pairs are explained together. All pairs are folded at once, with the
    query's words, grams and their links worked out once for them all.
    """
    pairs, width = parts.shape
    if width == 0:
        return [[] for _ in range(pairs)]
    values = parts.astype(np.float64)
    shared = values != 0
    order = np.argsort(-values, axis=1, kind="stable")  # each pair's contribution order
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.broadcast_to(np.arange(width), order.shape), axis=1)
    fold = _Folding(labels, query)
    home = np.broadcast_to(fold.label, (pairs, width)).copy()  # where each term's part goes, as a name's id
    home[:, fold.grams] = -1
    if fold.linked.size:
        key = np.where(shared, fold.length * width + (width - 1 - rank), -1)  # longest, then first
        best = np.maximum.reduceat(key[:, fold.link_words], fold.link_starts, axis=1)
        winner = np.take_along_axis(order, width - 1 - best % width, axis=1)
        home[:, fold.linked] = np.where(best >= 0, fold.label[winner], -1)
    homeless = shared & (home == -1)
    if homeless.any():
        home[homeless] = fold.fallback(np.flatnonzero(homeless.any(axis=0)))[np.nonzero(homeless)[1]]
    pair, column = np.nonzero(shared & (home != _FRAGMENT))
    first = np.lexsort((rank[pair, column], fold.is_gram[column], pair))
    pair, column = pair[first], column[first]
    ids, weights = home[pair, column], values[pair, column]
    shown = np.zeros((pairs, len(fold.names)), dtype=bool)
    shown[pair, ids] = True  # the lone characters too, which are no fragment's home
    spread_pair, spread_column = np.nonzero(home == _FRAGMENT)
    spread = np.lexsort((rank[spread_pair, spread_column], spread_pair))
    spread_pair, spread_ids, shares = fold.shares(
        spread_pair[spread], spread_column[spread], values[spread_pair[spread], spread_column[spread]], shown
    )
    bins = np.concatenate([pair, spread_pair]) * len(fold.names) + np.concatenate([ids, spread_ids])
    sums = np.bincount(bins, weights=np.concatenate([weights, shares]), minlength=pairs * len(fold.names))
    kept, came = np.unique(bins, return_index=True)
    totals = sums[kept]
    by = np.lexsort((came, -totals, kept // len(fold.names)))
    folded: list[list[tuple[str, float]]] = [[] for _ in range(pairs)]
    for p, name, total in zip(
        (kept[by] // len(fold.names)).tolist(), (kept[by] % len(fold.names)).tolist(), totals[by].tolist(), strict=True
    ):
        folded[p].append((fold.names[name], total))
    return folded


_SINGLE = 0
_FRAGMENT = -2


class _Folding:
    """What :func:`readable_terms` needs of one query's named terms, the same for every pair:
    each name's id (:data:`SINGLE_CHARACTERS` is 0), and the links from each gram to the shared
    words it lies in."""

    def __init__(self, labels: Sequence[str], query: QueryWords) -> None:
        self.query = query
        self.is_gram = np.array([label.startswith(CHAR_PREFIX) for label in labels])
        self.texts = [
            label[len(CHAR_PREFIX) :] if gram else label for label, gram in zip(labels, self.is_gram, strict=True)
        ]
        ids = {SINGLE_CHARACTERS: _SINGLE}
        self.label = np.array([ids.setdefault(text, len(ids)) for text in self.texts], dtype=np.int64)
        self.ids = ids
        self.names = list(ids)
        self.length = np.array([len(text) for text in self.texts], dtype=np.int64)
        self.grams = np.flatnonzero(self.is_gram)
        gram_at = {self.texts[j]: j for j in self.grams.tolist()}
        links = sorted(
            (gram_at[piece], w)
            for w in np.flatnonzero(~self.is_gram).tolist()
            for piece in query.pieces(self.texts[w])
            if piece in gram_at
        )
        link_grams = np.array([g for g, _ in links], dtype=np.int64)
        self.link_words = np.array([w for _, w in links], dtype=np.int64)
        self.linked, self.link_starts = np.unique(link_grams, return_index=True)

    def fallback(self, columns: np.ndarray) -> np.ndarray:
        """Where the grams at ``columns`` go when no shared word holds them (by column; others 0)."""
        out = np.zeros(len(self.texts), dtype=np.int64)
        for j in columns.tolist():
            text = self.texts[j]
            if len(text) == 1:
                out[j] = _SINGLE
            elif self.query.fragment(text) is None:
                out[j] = self.label[j]
            else:
                out[j] = _FRAGMENT
        return out

    def shares(
        self, pair: np.ndarray, column: np.ndarray, weights: np.ndarray, shown: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each fragment's part (``pair``, ``column``, ``weights``, in order) split evenly among its
        homes ``shown`` in its pair, in the order of :meth:`QueryWords.homes`, or given whole to the
        lone characters: the pairs, name ids and shares, fragment by fragment."""
        first = np.zeros(len(self.texts), dtype=np.int64)
        size = np.zeros(len(self.texts), dtype=np.int64)
        homes: list[int] = []
        for j in np.unique(column).tolist():
            ids = [self.ids[home] for home in self.query.homes(self.texts[j]) if home in self.ids]
            first[j], size[j] = len(homes), len(ids)
            homes += ids
        sizes = size[column]
        entry = np.repeat(np.arange(len(column)), sizes)
        offset = np.arange(len(entry)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        ids = np.array(homes, dtype=np.int64)[first[column][entry] + offset]
        taken = shown[pair[entry], ids]
        entry, ids = entry[taken], ids[taken]
        count = np.bincount(entry, minlength=len(column))
        alone = np.flatnonzero(count == 0)
        entries = np.concatenate([entry, alone])
        by = np.argsort(entries, kind="stable")
        return (
            pair[entries[by]],
            np.concatenate([ids, np.full(len(alone), _SINGLE)])[by],
            np.concatenate([weights[entry] / count[entry], weights[alone]])[by],
        )


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
