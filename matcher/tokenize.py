"""Chinese tokenising: our own segmenter instance with the domain dictionary, plus stop words.

Mixed Latin/number terms (RF-SOI, 5G, 12英寸, COD) are cut out before segmentation so that
they stay whole; Chinese runs go to a private jieba (or jieba-rs) instance, never the global one.
"""

from __future__ import annotations

import re
import tempfile
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from .text import normalize

Backend = Literal["rjieba", "jieba"]

_UNITS = "英寸|纳米|微米|毫米|厘米|千瓦|兆瓦|吉瓦|千伏|万吨|吨|米|位|核|线|层|寸"
_MIXED_SPLIT = re.compile(rf"([a-z0-9]+(?:[-+_.][a-z0-9]+)*(?:{_UNITS})?)")
_NUMBER = re.compile(r"[0-9]+(?:[._][0-9]+)*")
_WORDLIKE = re.compile(r"[\w\u4e00-\u9fff]")


def _resource(name: str) -> Path:
    return Path(str(resources.files("matcher") / "resources" / name))


def read_word_list(path: Path) -> list[str]:
    """One entry a line; blank lines and lines starting with # are skipped."""
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


class ChineseTokenizer:
    """Text → tokens, the one text pipeline every index channel and explanation uses.

    Parameters
    ----------
    user_dict : path of a jieba user dictionary (``word [freq] [tag]`` per line); ours by default.
    stop_words : path of a stop-word list; ours by default.
    backend : ``"rjieba"`` (jieba-rs, several times faster) or ``"jieba"``.

    Examples
    --------
    >>> tok = ChineseTokenizer()
    >>> tok("本发明涉及一种锂电池隔膜的中试工艺，适用于5G基站和12英寸RF-SOI晶圆")
    ['锂电池隔膜', '中试', '工艺', '适用', '5g', '基站', '12英寸', 'rf-soi', '晶圆']
    """

    def __init__(
        self,
        *,
        user_dict: str | Path | None = None,
        stop_words: str | Path | None = None,
        backend: Backend = "rjieba",
    ) -> None:
        if backend not in ("rjieba", "jieba"):
            raise ValueError(f"backend must be 'rjieba' or 'jieba', got {backend!r}")
        self.user_dict = Path(user_dict) if user_dict else _resource("user_dict.txt")
        self.stop_words_path = Path(stop_words) if stop_words else _resource("stopwords.txt")
        self.backend = backend

    def params(self) -> dict[str, Any]:
        """Settings that rebuild an identical tokenizer (dictionaries are saved beside them)."""
        return {"backend": self.backend}

    @cached_property
    def stop_words(self) -> frozenset[str]:
        return frozenset(normalize(w) for w in read_word_list(self.stop_words_path))

    @cached_property
    def _segmenter(self) -> Any:
        entries = [line.split() for line in read_word_list(self.user_dict)]
        if self.backend == "rjieba":
            import rjieba

            seg = rjieba.Jieba()
            for parts in entries:
                freq = int(parts[1]) if len(parts) > 1 else None
                seg.add_word(normalize(parts[0]), freq, parts[2] if len(parts) > 2 else None)
            return seg
        import logging

        import jieba

        logging.getLogger("jieba").setLevel(logging.WARNING)
        seg = jieba.Tokenizer()
        seg.tmp_dir = tempfile.gettempdir()
        seg.cache_file = "techmatch.jieba.cache"
        for parts in entries:
            seg.add_word(
                normalize(parts[0]), int(parts[1]) if len(parts) > 1 else None, parts[2] if len(parts) > 2 else None
            )
        return seg

    def _cut(self, text: str) -> list[str]:
        if self.backend == "rjieba":
            return self._segmenter.cut(text, True)  # type: ignore[no-any-return]
        return self._segmenter.lcut(text, cut_all=False, HMM=True)  # type: ignore[no-any-return]

    def _pieces(self, text: str) -> list[str]:
        """Mixed Latin/number terms whole, Chinese stretches through the segmenter."""
        pieces: list[str] = []
        for n, part in enumerate(_MIXED_SPLIT.split(text)):
            if n % 2:  # a mixed term (the pattern's one group)
                if not _NUMBER.fullmatch(part):
                    pieces.append(part)
            elif part:
                pieces.extend(self._cut(part))
        return pieces

    @cached_property
    def _classified(self) -> tuple[set[str], set[str]]:
        """Distinct pieces seen so far, and those of them that are not tokens (stop words, punctuation)."""
        return set(), set()

    def tokens_of_normalized(self, text: str) -> list[str]:
        """Tokens of a text :func:`~matcher.text.normalize` has already cleaned (callers that need the
        clean text too normalise once). Each distinct piece is classified once, then looked up."""
        pieces = self._pieces(text)
        seen, dropped = self._classified
        for piece in set(pieces).difference(seen):
            seen.add(piece)
            if piece in self.stop_words or not _WORDLIKE.search(piece) or piece.isspace():
                dropped.add(piece)
        return [piece for piece in pieces if piece not in dropped]

    def __call__(self, text: str) -> list[str]:
        return self.tokens_of_normalized(normalize(text))

    def __getstate__(self) -> dict[str, Any]:
        """Pickle the settings only: segmenter instances hold locks and native state."""
        return {"user_dict": self.user_dict, "stop_words_path": self.stop_words_path, "backend": self.backend}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)


def char_ngrams(text: str, ngram_range: tuple[int, int] = (2, 3)) -> list[str]:
    """Character n-grams of the Chinese runs only, for terms the dictionary does not know."""
    low, high = ngram_range
    grams: list[str] = []
    for run in re.findall(r"[\u3400-\u9fff]+", normalize(text)):
        for n in range(low, high + 1):
            grams.extend(run[i : i + n] for i in range(len(run) - n + 1))
    return grams
