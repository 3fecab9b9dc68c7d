"""Query-time scoring beyond the plain TF-IDF cosine, as named, additive parts.

``score = lexical + expansion + feedback + coverage + semantic``: each part is a dot product with the
index (or, for the latent channel, a clipped cosine), so an explanation lists every part and
the parts still add up to the text score.

- **expansion** (short queries): synonyms from the shipped thesaurus (:mod:`matcher.expand`),
  down-weighted, and weighted less again where the corpus already knows the source word;
- **feedback** (short queries): pseudo-relevance feedback, the centroid of the first pass's
  best few documents;
- **coverage** (short queries): how much of the query (with its synonyms) a top candidate holds;
- **semantic**: the latent channel of :mod:`matcher.semantic`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize
from sklearn.utils.sparsefuncs_fast import inplace_csr_row_normalize_l2

from .errors import InputError
from .expand import Thesaurus, default_thesaurus
from .explain import SINGLE_CHARACTERS, QueryWords, readable_terms
from .index import Terms, TfidfIndex, record_fields
from .rank import top_k
from .records import Demand, Record
from .semantic import SEMANTIC, LatentSpace
from .text import normalize as normalize_text

EXPANDED = "≈"
"""Prefix of explanation terms reached through a synonym rather than the query's own words."""
FEEDBACK = "（相关反馈）"
"""Explanation label of the pseudo-relevance-feedback part of a score."""
COVERAGE = "（覆盖度）"
"""Explanation label of the query-coverage part of a short query's score."""
LABELS = (SINGLE_CHARACTERS, FEEDBACK, COVERAGE, SEMANTIC)
"""Explanation terms that name a part of the score rather than text both records hold."""

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class QualityParams:
    """Switches and weights of the parts beyond plain TF-IDF; saved with a matcher.

    Defaults are those that helped on the public CSL benchmark by kind of query (see the README's
    table); ``short_query_chars`` is where a query counts as a search-box query.
    """

    expand: bool = True
    expand_weight: float = 0.35
    known_source_weight: float = 0.2
    cilin_weight: float = 0.5
    cilin_max_group: int = 8
    short_query_chars: int = 15
    feedback: bool = False
    feedback_docs: int = 3
    feedback_weight: float = 0.2
    coverage_weight: float = 0.3
    coverage_candidates: int = 100
    semantic: bool = False
    semantic_dims: int = 128
    semantic_weight: float = 0.03
    fill_fields: bool = True
    classifier_examples: int = 20_000
    field_boost: float = 0.0
    dedupe: bool = True
    dedupe_threshold: float = 0.5

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if not isinstance(value, bool) and value < 0:
                raise ValueError(f"{name} must be >= 0, got {value}")
        if not 0.0 < self.dedupe_threshold <= 1.0:
            raise ValueError(f"dedupe_threshold must be in (0, 1], got {self.dedupe_threshold}")
        for name in ("feedback_docs", "coverage_candidates", "classifier_examples"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")


def quality_from_settings(settings: Sequence[str]) -> QualityParams:
    """``["expand=false", "feedback_weight=0.3"]`` -> QualityParams; a bad name or value is an InputError."""
    defaults = asdict(QualityParams())
    values: dict[str, object] = {}
    for setting in settings:
        name, _, raw = setting.partition("=")
        name = name.strip().replace("-", "_")
        if name not in defaults:
            raise InputError.single("--quality", f"unknown setting {name!r} (known: {', '.join(defaults)})")
        kind = type(defaults[name])
        try:
            if kind is bool:
                if raw.strip().lower() not in ("true", "false", "1", "0", "on", "off"):
                    raise ValueError(raw)
                values[name] = raw.strip().lower() in ("true", "1", "on")
            else:
                values[name] = kind(raw)
        except ValueError:
            raise InputError.single("--quality", f"{name}: {raw!r} is not a valid {kind.__name__}") from None
    try:
        return QualityParams(**values)  # type: ignore[arg-type]
    except ValueError as error:
        raise InputError.single("--quality", str(error)) from None


class Prepared(NamedTuple):
    """Query vectors in index space: the plain ones, the (already weighted) expansions, their sum."""

    lexical: sp.csr_matrix
    expansion: sp.csr_matrix | None
    short: np.ndarray
    combined: sp.csr_matrix
    """What a document's text score is the dot product with: the query's words plus its synonyms."""


class Scored(NamedTuple):
    """Dense scores of a chunk: the total, whether anything was shared, and the extra parts."""

    total: np.ndarray
    shared: np.ndarray
    feedback: sp.csr_matrix | None
    parts: dict[str, np.ndarray]


def query_length(record: Record) -> int:
    """Characters a user typed (title, keywords and description, spaces left out)."""
    return len(_SPACE.sub("", "".join(record_fields(record))))


class Scorer:
    """One side's query pipeline over its index; cheap to build, rebuilt with the index."""

    def __init__(self, index: TfidfIndex, params: QualityParams, latent: LatentSpace | None = None) -> None:
        self.index = index
        self.params = params
        self.latent = latent if params.semantic else None
        self._term_rows: dict[str, int] = {}
        self._terms: sp.csr_matrix | None = None
        self._lock = threading.Lock()
        self._query_words = lru_cache(maxsize=64)(  # a query's k explanations segment it once
            lambda text: QueryWords(text, index.tokenizer, index.word_columns())
        )
        self._synonyms = lru_cache(maxsize=256)(self._synonyms_of)  # asked again by each of a query's explanations

    def thesaurus(self) -> Thesaurus:
        return default_thesaurus(cilin_weight=self.params.cilin_weight, cilin_max_group=self.params.cilin_max_group)

    def prepare(self, queries: Sequence[Record]) -> Prepared:
        lexical = self.index.transform(queries)
        short = np.array([query_length(q) <= self.params.short_query_chars for q in queries], dtype=bool)
        expansion = None
        if self.params.expand and self.params.expand_weight > 0 and short.any():
            expansion = self._expansions(queries, short)
        combined = lexical if expansion is None else (lexical + expansion).tocsr()
        return Prepared(lexical, expansion, short, combined)

    def _wanted(self, query: Record) -> dict[str, float]:
        """Synonyms of the thesaurus words in ``query``, less trusted where the corpus knows the source.

        The dict is shared by the cache: read it, never change it.
        """
        return self._synonyms(normalize_text(" ".join(record_fields(query))))  # type: ignore[no-any-return]

    def _synonyms_of(self, text: str) -> dict[str, float]:
        thesaurus, known = self.thesaurus(), self.index.word_columns()
        terms: dict[str, float] = {}
        for source in thesaurus.sources(text):
            trust = self.params.known_source_weight if source in known else 1.0
            for synonym, weight in thesaurus.synonyms[source].items():
                if synonym not in text and trust * weight > terms.get(synonym, 0.0):
                    terms[synonym] = trust * weight
        return {t: w for t, w in terms.items() if w > 0}

    def _expansions(self, queries: Sequence[Record], short: np.ndarray) -> sp.csr_matrix | None:
        """Each short query's synonyms as one l2-normalised vector times ``expand_weight``."""
        wanted = [self._wanted(q) if is_short else {} for q, is_short in zip(queries, short, strict=True)]
        vocabulary = sorted({t for terms in wanted for t in terms})
        if not vocabulary:
            return None
        with self._lock:  # a matcher serves concurrent readers; the cache grows under the lock
            new = [t for t in vocabulary if t not in self._term_rows]
            if new:  # term vectors depend only on the index's vocabulary and IDF: computed once
                vectors = self.index.transform([Demand(id="t", description=t) for t in new])
                blocks = [vectors] if self._terms is None else [self._terms, vectors]
                known = 0 if self._terms is None else self._terms.shape[0]
                self._terms = sp.vstack(blocks, format="csr", dtype=np.float32)
                self._term_rows.update((t, known + n) for n, t in enumerate(new))
            term_vectors = self._terms[[self._term_rows[t] for t in vocabulary]] if self._terms is not None else None
        column = {t: n for n, t in enumerate(vocabulary)}
        rows, columns, values = zip(
            *[(row, column[t], w) for row, terms in enumerate(wanted) for t, w in terms.items()], strict=True
        )
        weights = sp.csr_matrix((values, (rows, columns)), shape=(len(queries), len(vocabulary)), dtype=np.float32)
        combined = (weights @ term_vectors).tocsr()
        inplace_csr_row_normalize_l2(combined)  # sklearn's normalize without its input checks
        combined.data *= np.float32(self.params.expand_weight)
        return combined

    @property
    def needs_dense(self) -> bool:
        """Whether a part needs every document's score (feedback, latent channel): the exact dense path."""
        return (self.params.feedback and self.params.feedback_weight > 0) or self.latent is not None

    def score(self, prepared: Prepared, rows: slice) -> Scored:
        """All parts for the queries in ``rows`` against every document (the dense path)."""
        query = prepared.combined[rows]
        total = self.index.scores(query)
        short = prepared.short[rows]
        feedback = None
        if self.params.feedback and self.params.feedback_weight > 0 and short.any():
            feedback = self._feedback(total, short)
            total = total + self.index.scores(feedback)
        shared = total > 0
        parts: dict[str, np.ndarray] = {}
        if self.params.coverage_weight > 0 and short.any():
            parts[COVERAGE] = self._coverage(query, total, short)
        if self.latent is not None:
            parts[SEMANTIC] = np.float32(self.params.semantic_weight) * self.latent.scores(prepared.lexical[rows])
        for values in parts.values():
            total = total + values
        return Scored(total, shared, feedback, parts)

    def _feedback(self, first: np.ndarray, short: np.ndarray) -> sp.csr_matrix:
        """Rocchio: the l2-normalised centroid of the best ``feedback_docs`` documents, weighted."""
        m = min(self.params.feedback_docs, first.shape[1])
        rows, columns = [], []
        for n, (scores, is_short) in enumerate(zip(first, short, strict=True)):
            if is_short and scores.max() > 0:
                columns.extend(np.argpartition(-scores, m - 1)[:m].tolist())
                rows.extend([n] * m)
        positions, inverse = np.unique(np.asarray(columns, dtype=np.int64), return_inverse=True)
        pick = sp.csr_matrix(
            (np.ones(len(rows), dtype=np.float32), (rows, inverse)), shape=(first.shape[0], len(positions))
        )
        centroid = normalize(pick @ self.index.rows(positions))
        return (centroid * np.float32(self.params.feedback_weight)).tocsr()

    def _coverage(self, query: sp.csr_matrix, first: np.ndarray, short: np.ndarray) -> np.ndarray:
        """Dense coverage parts of a chunk: :meth:`coverage` of each short query's best candidates."""
        coverage = np.zeros_like(first)
        if self.params.coverage_weight <= 0:
            return coverage
        for n in np.flatnonzero(short):
            candidates = top_k(first[n], self.params.coverage_candidates)
            coverage[n, candidates] = self.coverage(query[n], candidates)
        return coverage

    def coverage(self, query: sp.csr_matrix | Terms, candidates: np.ndarray) -> np.ndarray:
        """Share of a short query's weight (its words, grams and synonyms) each candidate contains, weighted.

        Cosine lets one strongly matched term outweigh two matched terms; for a ten-character query
        a document holding more of what was typed is the better answer. Computed for the best
        ``coverage_candidates`` documents by text score only (a re-ranking, cheap).
        """
        if candidates.size == 0 or query.nnz == 0:
            return np.zeros(candidates.size, dtype=np.float32)
        held = (self.index.weights(query, candidates) > 0).astype(np.float32) @ query.data
        return (np.float32(self.params.coverage_weight) * held / query.data.sum()).astype(np.float32)

    def parts_at(self, scored: Scored, offset: int, position: int) -> dict[str, float]:
        """The dense path's named parts (feedback, coverage, latent) of one pair, non-zero only."""
        parts = {name: float(v[offset, position]) for name, v in scored.parts.items() if v[offset, position]}
        if scored.feedback is not None:
            part = float(scored.feedback[offset].multiply(self.index.rows(np.array([position]))).sum())
            if part:
                parts[FEEDBACK] = part
        return parts

    def explain(
        self, prepared: Prepared, n: int, positions: np.ndarray, parts: list[dict[str, float]], query: Record
    ) -> list[list[tuple[str, float]]]:
        """Named parts of each pair's text score (query ``n`` with each of ``positions``): terms,
        synonyms, then that pair's ``parts``; they add up to it.

        ``query`` is read for its word boundaries (see :func:`readable_terms`); the synonyms
        reached by expansion are read in their own words.
        """
        words = self._query_words("\n".join(record_fields(query)))
        lexical = self.index.contributions_at(Terms.row(prepared.lexical, n), positions)
        explained = [readable_terms(found, words) for found in lexical]
        if prepared.expansion is not None and prepared.expansion.indptr[n + 1] > prepared.expansion.indptr[n]:
            synonyms = self._query_words("\n".join(self._wanted(query)))
            reached = self.index.contributions_at(Terms.row(prepared.expansion, n), positions)
            for terms, found in zip(explained, reached, strict=True):
                terms += [(EXPANDED + term, weight) for term, weight in readable_terms(found, synonyms)]
        return [
            sorted(terms + list(pair.items()), key=lambda item: -item[1])
            for terms, pair in zip(explained, parts, strict=True)
        ]
