"""Near-duplicate records: MinHash over character shingles, banded LSH, verified pairs.

The same achievement arrives from several platforms, re-posted and lightly edited; a shortlist
shows it once and lists the other copies. Signatures are plain integer arrays (saved with the
index, appended on upsert); groups come from banding them and keeping candidate pairs whose
estimated Jaccard similarity of shingle sets reaches ``threshold``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from numba import njit, prange

from .parallel import serialized
from .records import Record
from .text import normalize

_PRIME = np.uint64(4294967311)  # the first prime above 2**32: (a*x + b) mod p stays in uint64
_MASK = np.uint64(0xFFFFFFFF)


@lru_cache(maxsize=1)
def _alnum_table() -> np.ndarray:
    """``str.isalnum`` of every character of the Basic Multilingual Plane, computed once."""
    return np.array([chr(code).isalnum() for code in range(0x10000)], dtype=bool)


def alnum_codes(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Code points of the letters and digits (as ``str.isalnum`` decides) of each normalised text, one
    array for all (uint64), and where each text's codes start and end."""
    cleaned = [normalize(text) for text in texts]
    codes = np.frombuffer("".join(cleaned).encode("utf-32-le"), dtype=np.uint32)
    inside = codes < 0x10000
    keep = np.zeros(codes.size, dtype=bool)
    keep[inside] = _alnum_table()[codes[inside]]
    for n in np.flatnonzero(~inside):  # beyond the BMP: rare, asked one by one
        keep[n] = chr(codes[n]).isalnum()
    owner = np.repeat(np.arange(len(cleaned)), [len(text) for text in cleaned])
    bounds = np.zeros(len(cleaned) + 1, dtype=np.int64)
    bounds[1:] = np.cumsum(np.bincount(owner[keep], minlength=len(cleaned)))
    return codes[keep].astype(np.uint64), bounds


@njit(cache=True, parallel=True)
def _min_hashes(codes, bounds, size, a, b):  # type: ignore[no-untyped-def]
    """Row n: for each permutation (a, b), the least ``(a * h + b) mod p`` over the hashes h of
    text n's character ``size``-grams (a text shorter than ``size`` is padded with zeros: one gram)."""
    rows = np.empty((bounds.shape[0] - 1, a.shape[0]), dtype=np.uint32)
    for n in prange(bounds.shape[0] - 1):
        lo, hi = bounds[n], bounds[n + 1]
        grams = max(hi - lo - size + 1, 1)
        hashes = np.zeros(grams, dtype=np.uint64)
        for g in range(grams):
            h = np.uint64(0)
            for c in range(size):  # FNV-style mixing of code points, kept to 32 bits
                code = codes[lo + g + c] if lo + g + c < hi else np.uint64(0)
                h = ((h ^ code) * np.uint64(16777619)) & _MASK
            hashes[g] = h
        for k in range(a.shape[0]):
            least = np.uint64(0xFFFFFFFFFFFFFFFF)
            for h in hashes:
                value = (h * a[k] + b[k]) % _PRIME
                if value < least:
                    least = value
            rows[n, k] = np.uint32(least)
    return rows


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
        codes, bounds = alnum_codes([record_text(record) for record in records])
        return serialized(_min_hashes)(codes, bounds, self.shingle, a, b)  # type: ignore[no-any-return]

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
