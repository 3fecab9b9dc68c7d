"""Near-duplicate records: MinHash over character shingles, banded LSH, verified pairs.

The same achievement arrives from several platforms, re-posted and lightly edited; a shortlist
shows it once and lists the other copies. Signatures are plain integer arrays (saved with the
index, appended on upsert); groups come from banding them and keeping candidate pairs whose
estimated Jaccard similarity of shingle sets reaches ``threshold``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .records import Record
from .text import normalize

_PRIME = np.uint64(4294967311)  # the first prime above 2**32: (a*x + b) mod p stays in uint64
_MASK = np.uint64(0xFFFFFFFF)


def shingle_hashes(text: str, size: int) -> np.ndarray:
    """32-bit hashes of the character ``size``-grams of ``text`` (letters, digits and CJK only)."""
    codes = np.array([ord(c) for c in normalize(text) if c.isalnum()], dtype=np.uint64)
    if codes.size < size:
        codes = np.concatenate([codes, np.zeros(size - codes.size, dtype=np.uint64)])
    windows = np.lib.stride_tricks.sliding_window_view(codes, size)
    hashes = np.zeros(len(windows), dtype=np.uint64)
    for column in range(size):  # FNV-style mixing of code points, kept to 32 bits
        hashes = ((hashes ^ windows[:, column]) * np.uint64(16777619)) & _MASK
    return np.unique(hashes)


def record_text(record: Record) -> str:
    return f"{record.title} {record.description}"


class DuplicateFinder:
    """MinHash signatures of records and the groups of near-duplicates among them.

    Examples
    --------
    >>> from matcher.records import Achievement
    >>> text = "一种湿法锂电池隔膜的中试制备工艺，孔隙率均匀，热收缩率低于百分之二，适合规模化生产。"
    >>> records = [Achievement(id="a", description=text), Achievement(id="b", description=text + "欢迎洽谈"),
    ...            Achievement(id="c", description="耐盐碱水稻品种选育，亩产提高百分之十五。")]
    >>> DuplicateFinder().fit(records).groups()
    [[0, 1]]
    """

    def __init__(
        self, *, threshold: float = 0.5, permutations: int = 128, bands: int = 32, shingle: int = 3, seed: int = 7
    ) -> None:
        if permutations % bands:
            raise ValueError(f"permutations ({permutations}) must be a multiple of bands ({bands})")
        self.threshold = threshold
        self.permutations = permutations
        self.bands = bands
        self.shingle = shingle
        self.seed = seed

    def _coefficients(self) -> tuple[np.ndarray, np.ndarray]:
        rng = np.random.default_rng(self.seed)
        a = rng.integers(1, 2**32, size=self.permutations, dtype=np.uint64)
        b = rng.integers(0, 2**32, size=self.permutations, dtype=np.uint64)
        return a, b

    def signatures(self, records: Sequence[Record]) -> np.ndarray:
        """One row of ``permutations`` minimum hashes per record."""
        a, b = self._coefficients()
        rows = np.empty((len(records), self.permutations), dtype=np.uint32)
        for n, record in enumerate(records):
            hashes = shingle_hashes(record_text(record), self.shingle)[:, None]
            rows[n] = ((hashes * a + b) % _PRIME).min(axis=0).astype(np.uint32)
        return rows

    def fit(self, records: Sequence[Record]) -> DuplicateFinder:
        self.signatures_ = self.signatures(records)
        return self

    def with_signatures(self, signatures: np.ndarray) -> DuplicateFinder:
        """A finder with these settings over ``signatures`` (after upsert, removal or load)."""
        other = DuplicateFinder(
            threshold=self.threshold,
            permutations=self.permutations,
            bands=self.bands,
            shingle=self.shingle,
            seed=self.seed,
        )
        other.signatures_ = signatures
        return other

    def extended(self, records: Sequence[Record]) -> DuplicateFinder:
        return self.with_signatures(np.vstack([self.signatures_, self.signatures(records)]))

    def without(self, keep: np.ndarray) -> DuplicateFinder:
        return self.with_signatures(self.signatures_[np.flatnonzero(keep)])

    def pairs(self) -> list[tuple[int, int, float]]:
        """Candidate pairs sharing a band, kept where the estimated Jaccard reaches the threshold."""
        signatures = self.signatures_
        rows = self.permutations // self.bands
        candidates: set[tuple[int, int]] = set()
        for band in range(self.bands):
            keys = np.ascontiguousarray(signatures[:, band * rows : (band + 1) * rows]).view(f"V{4 * rows}").ravel()
            order = np.argsort(keys, kind="stable")
            ordered = keys[order]
            starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
            for start, stop in zip(starts, np.r_[starts[1:], len(order)], strict=True):
                if stop - start > 1:
                    members = sorted(order[start:stop].tolist())
                    candidates.update((x, y) for i, x in enumerate(members) for y in members[i + 1 :])
        kept = []
        for x, y in sorted(candidates):
            similarity = float(np.mean(signatures[x] == signatures[y]))
            if similarity >= self.threshold:
                kept.append((x, y, similarity))
        return kept

    def groups(self) -> list[list[int]]:
        """Groups of two or more near-duplicate positions, each sorted, in order of first member."""
        parent = list(range(len(self.signatures_)))

        def root(x: int) -> int:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for x, y, _ in self.pairs():
            parent[root(y)] = root(x)
        found: dict[int, list[int]] = {}
        for position in range(len(parent)):
            found.setdefault(root(position), []).append(position)
        return sorted((g for g in found.values() if len(g) > 1), key=lambda g: g[0])
