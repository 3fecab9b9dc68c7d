"""TF-IDF index over records: a word channel and a character n-gram channel in one matrix.

Each channel is field-weighted (title and keywords count more than a long description),
sublinear, IDF-weighted and l2-normalised with scikit-learn; the two channels are scaled by the
square roots of their weights and stacked side by side, so the dot product of a query row and a
document row is ``(1 - char_weight) * word_cosine + char_weight * char_cosine`` and decomposes
exactly into per-term contributions (what explanations show).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, NamedTuple

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.utils.sparsefuncs_fast import inplace_csr_row_normalize_l2

from .errors import MatcherError, NotFittedError
from .features import (
    PARALLEL_MIN,
    ChunkCounts,
    Fields,
    count_many,
    gram_text,
    keys_of,
    merge_grams,
    merge_words,
    restrict,
    side_by_side,
)
from .parallel import serialized
from .postings import (
    NO_PAIRING,
    Columns,
    Pairing,
    Ranking,
    Rows,
    block_maxima,
    column_maxima,
    csr_into_columns,
    dense_scores,
    gather_rows,
    keep_rows,
    rank_queries,
    rows_of,
    weights_of,
)
from .records import Record
from .tokenize import ChineseTokenizer

CHAR_PREFIX = "#"
"""Feature names of the character channel start with this, so they never clash with words."""


class Hits(NamedTuple):
    """Top-k results of a batch of queries: row positions and scores, best first."""

    indices: list[np.ndarray]
    scores: list[np.ndarray]


class Terms(NamedTuple):
    """One query's terms (columns) and weights: a CSR row without SciPy's per-slice cost.

    Ranking and explaining one query at a time slice a batch's matrix row by row; a SciPy slice
    costs more than scoring the row, so hot paths pass these two arrays instead.
    """

    indices: np.ndarray
    data: np.ndarray

    @classmethod
    def row(cls, matrix: sp.csr_matrix, n: int) -> Terms:
        start, end = matrix.indptr[n], matrix.indptr[n + 1]
        return cls(matrix.indices[start:end], matrix.data[start:end])

    @property
    def nnz(self) -> int:
        return len(self.indices)

    @property
    def indptr(self) -> np.ndarray:
        return np.array([0, len(self.indices)], dtype=np.int32)

    @property
    def shape(self) -> tuple[int, int]:
        return 1, -1


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


def record_fields(record: Record) -> Fields:
    """The three texts of a record that are matched: title, keywords, description."""
    return record.title, " ".join(record.keywords), record.description


class _Channel:
    """One field-weighted TF-IDF space: a vocabulary (words, or n-gram keys) and scikit-learn's IDF."""

    def __init__(self, kind: str, sublinear: bool) -> None:
        self.kind = kind
        self.tfidf = TfidfTransformer(sublinear_tf=sublinear)
        self.words: list[str] = []
        self.keys = np.zeros(0, dtype=np.uint64)

    def fit_transform(self, chunks: list[ChunkCounts]) -> sp.csr_matrix:
        if self.kind == "words":
            self.words, counts = merge_words(chunks)
        else:
            self.keys, counts = merge_grams(chunks)
        self._lookup = {word: n for n, word in enumerate(self.words)}
        self.tfidf.fit(counts)
        return self._weigh(counts)

    def transform(self, chunks: list[ChunkCounts]) -> sp.csr_matrix:
        blocks = [restrict(*self._local(chunk), len(self)) for chunk in chunks]
        return self._weigh(blocks[0] if len(blocks) == 1 else sp.vstack(blocks, format="csr"))

    def _local(self, chunk: ChunkCounts) -> tuple[sp.csr_matrix, np.ndarray]:
        """A chunk's counts and, for each of its local terms, its column here (-1: unknown)."""
        if self.kind == "words":
            return chunk.word_counts, np.array([self._lookup.get(w, -1) for w in chunk.words], dtype=np.int64)
        found = np.minimum(np.searchsorted(self.keys, chunk.gram_keys), max(len(self.keys) - 1, 0))
        known = self.keys[found] == chunk.gram_keys if len(self.keys) else np.zeros(len(found), dtype=bool)
        return chunk.gram_counts, np.where(known, found, -1)

    def _weigh(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        """TF-IDF as scikit-learn's transform computes it (same operations, same dtype), without its
        checks; in place: counts are always this index's own fresh matrices."""
        weights = counts
        if self.tfidf.sublinear_tf:
            np.log(weights.data, weights.data)
            weights.data += 1.0
        weights.data *= self.tfidf.idf_[weights.indices]
        inplace_csr_row_normalize_l2(weights)
        return weights

    def __len__(self) -> int:
        return len(self.words) if self.kind == "words" else len(self.keys)

    def term(self, column: int) -> str:
        return self.words[column] if self.kind == "words" else CHAR_PREFIX + gram_text(self.keys[column])

    @property
    def vocabulary(self) -> dict[str, int]:
        return {self.term(n): n for n in range(len(self))}

    def restore(self, vocabulary: dict[str, int], idf: np.ndarray) -> None:
        terms = sorted(vocabulary, key=vocabulary.__getitem__)
        if self.kind == "words":
            self.words = terms
            self._lookup = dict(vocabulary)
        else:
            self.keys = keys_of([t[len(CHAR_PREFIX) :] for t in terms])
        self.tfidf.idf_ = idf


class TfidfIndex:
    """Field-weighted TF-IDF over records, queried by cosine; explanations by construction.

    Document weights are kept by term (CSC, float32) in one or two segments: the fitted base
    (memory-mapped after :meth:`load`) and a tail of rows added by :meth:`extended`.

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
        channels = [
            (_Channel("words", p.sublinear_tf), 1.0 - p.char_weight),
            (_Channel("grams", p.sublinear_tf), p.char_weight),
        ]
        return [(c, w) for c, w in channels if w > 0]

    def count(self, records: Sequence[Record], processes: int | None = None) -> list[ChunkCounts]:
        """Tokenise and count ``records`` (the slow part of a build), on ``processes`` cores (all by default).

        The result can be kept and given to :meth:`fit` as ``counts``: a rebuild then skips tokenising.
        """
        self.channels_ = getattr(self, "channels_", None) or self._channels()
        p = self.params
        weights = (p.title_weight, p.keyword_weight, p.description_weight)
        kinds = {c.kind for c, _ in self.channels_}
        return count_many(
            [record_fields(r) for r in records],
            self.tokenizer if "words" in kinds else None,
            weights,
            (p.char_ngram_min, p.char_ngram_max) if "grams" in kinds else None,
            processes,
        )

    def fit(
        self, records: Sequence[Record], *, processes: int | None = None, counts: list[ChunkCounts] | None = None
    ) -> TfidfIndex:
        """Learn vocabularies and IDF from ``records`` and store their vectors.

        ``counts`` from :meth:`count` on the same records skips tokenising; otherwise records are
        counted on ``processes`` cores (all by default).
        """
        self.channels_ = self._channels()
        chunks = counts if counts is not None else self.count(records, processes)
        nnz = sum(c.word_counts.nnz + c.gram_counts.nnz for c in chunks)
        data, indices, pointers, at = np.empty(nnz, dtype=np.float32), np.empty(nnz, dtype=np.int32), [], 0
        for channel, weight in self.channels_:  # one channel at a time, straight into the columns
            weights = channel.fit_transform(chunks)
            weights.data *= np.float32(np.sqrt(weight))
            pointers.append(
                csr_into_columns(weights.indptr, weights.indices, weights.data, len(channel), indices, data, at)
            )
            at += weights.nnz
            del weights
        indptr = np.concatenate([p[:-1] for p in pointers] + [np.array([at], dtype=np.int64)])
        self._set_base(_read_only(Columns(indptr, indices[:at], data[:at])), len(records))
        return self

    def _set_base(self, columns: Columns, n_docs: int) -> None:
        """One segment holding every row, and an empty tail for rows added later."""
        self.segments_ = [(columns, 0), (_columns(sp.csc_matrix((0, self.width), dtype=np.float32)), n_docs)]
        self.n_docs_ = n_docs
        self.__dict__.pop("_maxima", None)
        self.__dict__.pop("_blocks", None)
        self.__dict__.pop("_rows", None)

    @cached_property
    def _maxima(self) -> tuple[np.ndarray, ...]:
        """Each segment's largest weight per term (the pruning bounds), computed on first use."""
        return tuple(serialized(column_maxima)(columns, self.width) for columns, _ in self.segments_)

    @cached_property
    def _blocks(self) -> tuple[np.ndarray, np.ndarray]:
        """The base segment's block maxima (the pruning's per-block bounds), computed on first use."""
        (columns, _), (_, base_rows) = self.segments_
        return serialized(block_maxima)(columns, self.width, base_rows)  # type: ignore[no-any-return]

    @cached_property
    def _rows(self) -> Rows:
        """The base segment document by document, for scoring candidates and reading explanations'
        weights: saved with the index (memory-mapped after :meth:`load`), else computed on first use."""
        (columns, _), (_, base_rows) = self.segments_
        return rows_of(columns, base_rows)

    def _check_fitted(self) -> None:
        if not hasattr(self, "segments_"):
            raise NotFittedError("The TF-IDF index is not fitted: call fit() or load() first")

    def transform(self, records: Sequence[Record]) -> sp.csr_matrix:
        """Query vectors in this index's space (terms it has never seen are dropped)."""
        self._check_fitted()
        chunks = self.count(records, 1 if len(records) < PARALLEL_MIN else None)
        blocks = []
        for channel, weight in self.channels_:
            block = channel.transform(chunks)
            block.data *= np.float32(np.sqrt(weight))
            blocks.append(block)
        return side_by_side(blocks, [len(c) for c, _ in self.channels_])

    def extended(self, records: Sequence[Record]) -> TfidfIndex:
        """A new index with ``records`` appended, in this index's vocabulary and IDF (no refit).

        Terms the vocabulary has never seen do not count until :meth:`fit` runs again. The new
        rows go to a tail segment: the base is shared, not copied, and this index is left
        unchanged, so readers of it never see a half-updated index.
        """
        grown = self._copy()
        rows = self.transform(records).tocsc()
        base, tail = self._bounds()
        if tail[2] > tail[1]:
            rows = sp.vstack([_matrix(tail, self.width), rows], format="csc", dtype=np.float32)
        grown.segments_ = [(base[0], 0), (_columns(rows), base[2])]
        grown.n_docs_ = self.n_docs_ + len(records)
        grown._maxima = (self._maxima[0], serialized(column_maxima)(grown.segments_[1][0], self.width))
        grown._blocks, grown._rows = self._blocks, self._rows  # the base is shared, not copied
        return grown

    def _bounds(self) -> list[tuple[Columns, int, int]]:
        """Each segment with the first and one-past-last row it holds."""
        ends = [offset for _, offset in self.segments_[1:]] + [self.n_docs_]
        return [(columns, start, end) for (columns, start), end in zip(self.segments_, ends, strict=True)]

    def without(self, keep: np.ndarray) -> TfidfIndex:
        """A new index holding only the rows where ``keep`` is true."""
        smaller = self._copy()
        segments, offset = [], 0
        for columns, start, end in self._bounds():
            kept = Columns(*serialized(keep_rows)(columns, np.ascontiguousarray(keep[start:end], dtype=np.bool_)))
            segments.append((kept, offset))
            offset += int(np.count_nonzero(keep[start:end]))
        smaller.segments_, smaller.n_docs_ = segments, offset
        return smaller

    def _copy(self) -> TfidfIndex:
        self._check_fitted()
        other = TfidfIndex(tokenizer=self.tokenizer, params=self.params)
        other.channels_, other._names = self.channels_, self._names
        return other

    @property
    def matrix_(self) -> sp.csr_matrix:
        """Documents x features (CSR) for analysis, rebuilt from the columns on each access."""
        columns = self._merged()
        matrix = sp.csc_matrix((columns.data, columns.indices, columns.indptr), shape=(self.n_docs_, self.width))
        return matrix.tocsr()

    @property
    def terms_(self) -> np.ndarray:
        """Name of every feature column (words, then ``#``-prefixed n-grams), for analysis."""
        self._check_fitted()
        return np.array([c.term(n) for c, _ in self.channels_ for n in range(len(c))], dtype=object)

    @property
    def width(self) -> int:
        """Number of features (terms of both channels)."""
        return sum(len(c) for c, _ in self.channels_)

    def __len__(self) -> int:
        return self.n_docs_ if hasattr(self, "segments_") else 0

    def _segments(self) -> tuple:
        """(base, tail) for the kernels; the tail is empty when nothing was added."""
        return tuple(self.segments_)

    def scores(self, queries: sp.csr_matrix) -> np.ndarray:
        """Dense text scores, shape ``(n_queries, n_docs)``: for small inputs (ranking never needs them)."""
        self._check_fitted()
        return dense_scores(queries, self._segments(), self.n_docs_)  # type: ignore[no-any-return]

    def rank(
        self,
        queries: sp.csr_matrix | Terms,
        k: int,
        *,
        floor: float = 0.0,
        mask: np.ndarray | None = None,
        pairing: Pairing | None = None,
        by_text: int | np.ndarray = 0,
        groups: np.ndarray | None = None,
    ) -> Ranking:
        """Best ``k`` rows per query, as positions, scores and text scores of shape ``(n_queries, k)``.

        A row counts when its text score is positive, ``mask`` (if any) keeps it, and its score
        (text plus the ``pairing`` boosts) is above ``floor``; -1 fills the positions of short lists.
        With ``by_text`` (one count, or one per query) the same pass also keeps each query's best
        rows by text score alone, ignoring mask, boosts and floor (``candidates``, ``candidate_texts``).
        With ``groups`` (row -> near-duplicate group, -1: none) the best ``k`` hold one row per group.
        """
        self._check_fitted()
        return rank_queries(  # type: ignore[no-any-return]
            queries,
            self._segments(),
            self._maxima,
            self.n_docs_,
            k,
            np.float32(floor),
            np.zeros(0, dtype=np.bool_) if mask is None else mask,
            pairing or NO_PAIRING,
            by_text,
            groups,
            self._blocks,
            self._rows,
        )

    def query(self, queries: sp.csr_matrix, k: int) -> Hits:
        """Best ``k`` documents a query by text score alone (no filters), best first."""
        positions, scores, *_ = self.rank(queries, k)
        found = [row >= 0 for row in positions]
        return Hits(
            [p[f] for p, f in zip(positions, found, strict=True)], [s[f] for s, f in zip(scores, found, strict=True)]
        )

    def contributions(self, query: sp.csr_matrix | Terms, position: int) -> list[tuple[str, float]]:
        """Per-term parts of one document's text score, largest first; they sum to the score."""
        return self.contributions_at(query, np.array([position]))[0]

    def contributions_at(self, query: sp.csr_matrix | Terms, positions: np.ndarray) -> list[list[tuple[str, float]]]:
        """:meth:`contributions` of several documents, their weights read in one pass."""
        self._check_fitted()
        names, term = self._names, self._term
        parts = query.data * self.weights(query, positions)
        labels = np.empty(len(query.indices), dtype=object)  # named once a query, for the terms any document shares
        shared_by_any = np.flatnonzero(parts.any(axis=0))
        labels[shared_by_any] = [names.get(c) or term(c) for c in query.indices[shared_by_any].tolist()]
        found = []
        for row in parts:
            shared = np.flatnonzero(row)
            order = shared[np.argsort(-row[shared], kind="stable")]
            found.append(list(zip(labels[order].tolist(), row[order].tolist(), strict=True)))
        return found

    def _term(self, column: int) -> str:
        (first, _), *rest = self.channels_
        name = first.term(column) if column < len(first) or not rest else rest[0][0].term(column - len(first))
        self._names[column] = name
        return name

    @cached_property
    def _names(self) -> dict[int, str]:
        """Names of the terms explanations have shown so far, decoded once each (shared by copies)."""
        return {}

    def save(self, folder: Path) -> None:
        """Plain files: vocabularies as JSON, IDF and the columns as NumPy arrays (no pickle), mappable."""
        self._check_fitted()
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "params.json").write_text(json.dumps(asdict(self.params), ensure_ascii=False, indent=1))
        for n, (channel, _weight) in enumerate(self.channels_):
            (folder / f"vocab{n}.json").write_text(json.dumps(channel.vocabulary, ensure_ascii=False))
            np.save(folder / f"idf{n}.npy", channel.tfidf.idf_, allow_pickle=False)
        merged = self._merged()
        for name, array in zip(Columns._fields, merged, strict=True):
            np.save(folder / f"columns_{name}.npy", array, allow_pickle=False)
        rows = self._rows if merged is self.segments_[0][0] else rows_of(merged, self.n_docs_)
        for name, array in zip(Rows._fields, rows, strict=True):
            np.save(folder / f"rows_{name}.npy", array, allow_pickle=False)
        (folder / "shape.json").write_text(json.dumps({"documents": self.n_docs_, "features": self.width}))

    def _merged(self) -> Columns:
        if self.segments_[1][1] == self.n_docs_:
            return self.segments_[0][0]
        parts = [_matrix(bounds, self.width) for bounds in self._bounds()]
        return _columns(sp.vstack(parts, format="csc", dtype=np.float32))

    @classmethod
    def load(cls, folder: Path, *, tokenizer: ChineseTokenizer, mmap: bool = True) -> TfidfIndex:
        """The saved index; with ``mmap`` its columns stay in the page cache, shared by every process that loads them."""
        params = IndexParams(**json.loads((folder / "params.json").read_text()))
        index = cls(tokenizer=tokenizer, params=params)
        index.channels_ = index._channels()
        for n, (channel, _) in enumerate(index.channels_):
            vocab = json.loads((folder / f"vocab{n}.json").read_text())
            channel.restore(
                {str(t): int(c) for t, c in vocab.items()}, np.load(folder / f"idf{n}.npy", allow_pickle=False)
            )
        mode: Literal["r"] | None = "r" if mmap else None
        arrays = [
            np.load(folder / f"columns_{name}.npy", mmap_mode=mode, allow_pickle=False) for name in Columns._fields
        ]
        index._set_base(Columns(*arrays), int(json.loads((folder / "shape.json").read_text())["documents"]))
        if (folder / "rows_indptr.npy").is_file():  # folders saved before rows were kept compute them on first use
            index._rows = _saved_rows(folder, mode)
        return index

    def save_rows(self, folder: Path) -> bool:
        """Add the rows to ``folder``, the one this index was loaded from, if it was saved before rows were kept.

        So that every process loading the folder maps one copy instead of computing its own. False when
        the rows are there already. Each array is written under another name and moved into place, the
        offsets last (their file is what :meth:`load` looks for), so no reader maps half of them.
        """
        if (folder / "rows_indptr.npy").is_file():
            return False
        documents = int(json.loads((folder / "shape.json").read_text())["documents"])
        if documents != self.n_docs_ or self.segments_[1][1] != self.n_docs_:
            raise MatcherError(f"{folder}: not the folder this index was loaded from")
        for name in sorted(Rows._fields, key=lambda name: name == "indptr"):
            partial = folder / f"rows_{name}.partial.npy"
            np.save(partial, np.asarray(getattr(self._rows, name)), allow_pickle=False)
            partial.replace(folder / f"rows_{name}.npy")
        self._rows = _saved_rows(folder, "r")  # mapped like the columns, so this process shares them too
        return True

    def word_columns(self) -> dict[str, int]:
        """Terms of the word channel and their columns (empty when that channel is off)."""
        self._check_fitted()
        first = self.channels_[0][0]
        return first._lookup if first.kind == "words" else {}

    def rows(self, positions: np.ndarray) -> sp.csr_matrix:
        """The stored document vectors at ``positions`` (for classifiers, feedback and the latent space)."""
        self._check_fitted()
        positions = np.asarray(positions, dtype=np.int64)
        distinct, inverse = np.unique(positions, return_inverse=True)
        indptr, indices, data = gather_rows(self._segments(), self.n_docs_, distinct)
        return sp.csr_matrix((data, indices, indptr), shape=(len(distinct), self.width))[inverse.ravel()]

    def weights(self, query: sp.csr_matrix | Terms, positions: np.ndarray) -> np.ndarray:
        """Document weights of a one-row query's terms in each of ``positions``: ``(len(positions), query.nnz)``."""
        self._check_fitted()
        return weights_of(query.indices, self._segments(), np.asarray(positions), self._rows)  # type: ignore[no-any-return]

    def describe(self) -> dict[str, Any]:
        return {
            "documents": len(self),
            "features": self.width if len(self) else 0,
        }


def _columns(matrix: sp.csc_matrix) -> Columns:
    """The CSC arrays in the kernels' one type: int64 pointers, int32 rows, float32 weights, read-only."""
    matrix.sort_indices()
    return _read_only(
        Columns(
            matrix.indptr.astype(np.int64, copy=False),
            matrix.indices.astype(np.int32, copy=False),
            matrix.data.astype(np.float32, copy=False),
        )
    )


def _saved_rows(folder: Path, mode: Literal["r"] | None) -> Rows:
    return Rows(*(np.load(folder / f"rows_{name}.npy", mmap_mode=mode, allow_pickle=False) for name in Rows._fields))


def _read_only(columns: Columns) -> Columns:
    for array in columns:
        array.setflags(write=False)
    return columns


def _matrix(bounds: tuple[Columns, int, int], width: int) -> sp.csc_matrix:
    columns, start, end = bounds
    return sp.csc_matrix((columns.data, columns.indices, columns.indptr), shape=(end - start, width))
