"""TF-IDF index over records: a word channel and a character n-gram channel in one matrix.

Each channel is field-weighted (title and keywords count more than a long description),
sublinear, IDF-weighted and l2-normalised with scikit-learn; the two channels are scaled by the
square roots of their weights and stacked side by side, so the dot product of a query row and a
document row is ``(1 - char_weight) * word_cosine + char_weight * char_cosine`` and decomposes
exactly into per-term contributions (what explanations show).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

from .errors import NotFittedError
from .records import Record
from .tokenize import ChineseTokenizer, char_ngrams

CHAR_PREFIX = "#"
"""Feature names of the character channel start with this, so they never clash with words."""


class Hits(NamedTuple):
    """Top-k results of a batch of queries: row positions and scores, best first."""

    indices: list[np.ndarray]
    scores: list[np.ndarray]


@dataclass(frozen=True)
class IndexParams:
    """How texts become vectors; saved with the index so a loaded index behaves the same.

    The defaults were chosen on the CSL benchmark by query kind (titles, keywords, long and short
    demands): character 1-2-grams at weight 0.8 lead on every kind; see the README's table.
    """

    title_weight: float = 2.0
    keyword_weight: float = 2.0
    description_weight: float = 1.0
    char_weight: float = 0.8
    char_ngram_min: int = 1
    char_ngram_max: int = 2
    sublinear_tf: bool = True

    def __post_init__(self) -> None:
        for name in ("title_weight", "keyword_weight", "description_weight"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")
        if not 0.0 <= self.char_weight <= 1.0:
            raise ValueError(f"char_weight must be in [0, 1], got {self.char_weight}")
        if not 1 <= self.char_ngram_min <= self.char_ngram_max:
            raise ValueError(
                f"char n-gram range must satisfy 1 <= min <= max, got ({self.char_ngram_min}, {self.char_ngram_max})"
            )


def _identity(tokens: list[str]) -> list[str]:
    return tokens


def record_fields(record: Record) -> tuple[str, str, str]:
    """The three texts of a record that are matched: title, keywords, description."""
    return record.title, " ".join(record.keywords), record.description


class _Channel:
    """One field-weighted TF-IDF space (vocabulary + IDF), fitted with scikit-learn."""

    def __init__(self, analyzer: Callable[[str], list[str]], weights: tuple[float, float, float], sublinear: bool):
        self.analyzer = analyzer
        self.weights = weights
        self.counter = CountVectorizer(analyzer=_identity, lowercase=False, dtype=np.float32)
        self.tfidf = TfidfTransformer(sublinear_tf=sublinear)

    def _counts(self, fields: Sequence[tuple[str, str, str]], fit: bool) -> sp.csr_matrix:
        tokens = [[self.analyzer(text) for text in record] for record in fields]
        if fit:
            self.counter.fit(token for record in tokens for token in record)
        total = None
        for position, weight in enumerate(self.weights):
            if weight == 0:
                continue
            part = self.counter.transform([record[position] for record in tokens]) * weight
            total = part if total is None else total + part
        assert total is not None, "at least one field weight must be positive"
        return total.tocsr()

    def fit_transform(self, fields: Sequence[tuple[str, str, str]]) -> sp.csr_matrix:
        counts = self._counts(fields, fit=True)
        return self.tfidf.fit_transform(counts).astype(np.float32)

    def transform(self, fields: Sequence[tuple[str, str, str]]) -> sp.csr_matrix:
        return self.tfidf.transform(self._counts(fields, fit=False)).astype(np.float32)

    @property
    def vocabulary(self) -> dict[str, int]:
        return self.counter.vocabulary_  # type: ignore[no-any-return]

    def restore(self, vocabulary: dict[str, int], idf: np.ndarray) -> None:
        self.counter = CountVectorizer(analyzer=_identity, lowercase=False, dtype=np.float32, vocabulary=vocabulary)
        self.counter._validate_vocabulary()
        self.tfidf.idf_ = idf


class TfidfIndex:
    """Field-weighted TF-IDF over records, queried by cosine; explanations by construction.

    Examples
    --------
    >>> from matcher.records import Achievement
    >>> docs = [Achievement(id="a", title="锂电池隔膜", description="湿法锂电池隔膜的中试工艺"),
    ...         Achievement(id="b", title="水稻新品种", description="耐盐碱水稻品种选育")]
    >>> index = TfidfIndex(tokenizer=ChineseTokenizer()).fit(docs)
    >>> hits = index.query(index.transform([Achievement(id="q", description="隔膜工艺")]), k=1)
    >>> int(hits.indices[0][0])
    0
    """

    def __init__(self, *, tokenizer: ChineseTokenizer, params: IndexParams | None = None) -> None:
        self.tokenizer = tokenizer
        self.params = params or IndexParams()

    def _channels(self) -> list[tuple[_Channel, float]]:
        p = self.params
        weights = (p.title_weight, p.keyword_weight, p.description_weight)
        word = _Channel(self.tokenizer, weights, p.sublinear_tf)
        grams = (p.char_ngram_min, p.char_ngram_max)
        char = _Channel(lambda text: [CHAR_PREFIX + g for g in char_ngrams(text, grams)], weights, p.sublinear_tf)
        return [(word, 1.0 - p.char_weight), (char, p.char_weight)]

    def fit(self, records: Sequence[Record]) -> TfidfIndex:
        """Learn vocabularies and IDF from ``records`` and store their vectors."""
        fields = [record_fields(r) for r in records]
        self.channels_ = [(c, w) for c, w in self._channels() if w > 0]
        blocks = [c.fit_transform(fields) * np.float32(np.sqrt(w)) for c, w in self.channels_]
        self.matrix_ = sp.hstack(blocks, format="csr", dtype=np.float32)
        self._set_terms()
        return self

    def _set_terms(self) -> None:
        terms: list[str] = []
        for channel, _ in self.channels_:
            vocab = channel.vocabulary
            block = [""] * len(vocab)
            for term, column in vocab.items():
                block[column] = term
            terms.extend(block)
        self.terms_ = np.array(terms, dtype=object)

    def _check_fitted(self) -> None:
        if not hasattr(self, "matrix_"):
            raise NotFittedError("The TF-IDF index is not fitted: call fit() or load() first")

    def transform(self, records: Sequence[Record]) -> sp.csr_matrix:
        """Query vectors in this index's space (terms it has never seen are dropped)."""
        self._check_fitted()
        fields = [record_fields(r) for r in records]
        blocks = [c.transform(fields) * np.float32(np.sqrt(w)) for c, w in self.channels_]
        return sp.hstack(blocks, format="csr", dtype=np.float32)

    def extended(self, records: Sequence[Record]) -> TfidfIndex:
        """A new index with ``records`` appended, in this index's vocabulary and IDF (no refit).

        Terms the vocabulary has never seen do not count until :meth:`fit` runs again; this
        index is left unchanged, so readers of it never see a half-updated matrix.
        """
        grown = self._copy()
        grown.matrix_ = sp.vstack([self.matrix_, self.transform(records)], format="csr", dtype=np.float32)
        return grown

    def without(self, keep: np.ndarray) -> TfidfIndex:
        """A new index holding only the rows where ``keep`` is true."""
        smaller = self._copy()
        smaller.matrix_ = self.matrix_[np.flatnonzero(keep)]
        return smaller

    def _copy(self) -> TfidfIndex:
        self._check_fitted()
        other = TfidfIndex(tokenizer=self.tokenizer, params=self.params)
        other.channels_, other.terms_ = self.channels_, self.terms_
        return other

    def __len__(self) -> int:
        return int(self.matrix_.shape[0]) if hasattr(self, "matrix_") else 0

    def scores(self, queries: sp.csr_matrix) -> np.ndarray:
        """Dense text scores, shape ``(n_queries, n_docs)``; callers chunk large batches."""
        self._check_fitted()
        return np.asarray((queries @ self.matrix_.T).toarray(), dtype=np.float32)

    def query(self, queries: sp.csr_matrix, k: int) -> Hits:
        """Best ``k`` documents a query by text score alone (no filters), best first."""
        from .rank import top_k

        scores = self.scores(queries)
        picked = [top_k(row, k) for row in scores]
        return Hits([p for p in picked], [row[p] for row, p in zip(scores, picked, strict=False)])

    def contributions(self, query: sp.csr_matrix, position: int) -> list[tuple[str, float]]:
        """Per-term parts of one document's text score, largest first; they sum to the score."""
        doc = self.matrix_[position]
        shared = query.multiply(doc).tocoo()
        order = np.argsort(-shared.data, kind="stable")
        return [(str(self.terms_[shared.col[i]]), float(shared.data[i])) for i in order]

    def save(self, folder: Path) -> None:
        """Plain files: vocabularies as JSON, IDF and the matrix as NumPy/SciPy arrays, no pickle."""
        self._check_fitted()
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "params.json").write_text(json.dumps(asdict(self.params), ensure_ascii=False, indent=1))
        for n, (channel, _weight) in enumerate(self.channels_):
            (folder / f"vocab{n}.json").write_text(json.dumps(channel.vocabulary, ensure_ascii=False))
            np.save(folder / f"idf{n}.npy", channel.tfidf.idf_, allow_pickle=False)
        sp.save_npz(folder / "matrix.npz", self.matrix_)

    @classmethod
    def load(cls, folder: Path, *, tokenizer: ChineseTokenizer) -> TfidfIndex:
        params = IndexParams(**json.loads((folder / "params.json").read_text()))
        index = cls(tokenizer=tokenizer, params=params)
        index.channels_ = [(c, w) for c, w in index._channels() if w > 0]
        for n, (channel, _) in enumerate(index.channels_):
            vocab = json.loads((folder / f"vocab{n}.json").read_text())
            channel.restore(
                {str(t): int(c) for t, c in vocab.items()}, np.load(folder / f"idf{n}.npy", allow_pickle=False)
            )
        index.matrix_ = sp.load_npz(folder / "matrix.npz").tocsr().astype(np.float32)
        index._set_terms()
        return index

    def word_columns(self) -> dict[str, int]:
        """Terms of the word channel and their columns (empty when that channel is off)."""
        self._check_fitted()
        if self.params.char_weight >= 1.0:
            return {}
        return self.channels_[0][0].vocabulary

    def rows(self, positions: np.ndarray) -> sp.csr_matrix:
        """The stored document vectors at ``positions`` (for feedback and classifiers)."""
        self._check_fitted()
        return self.matrix_[positions]

    def describe(self) -> dict[str, Any]:
        return {"documents": len(self), "features": int(self.matrix_.shape[1]) if len(self) else 0}
