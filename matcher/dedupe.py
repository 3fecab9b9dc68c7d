"""Near-duplicate records: MinHash over character shingles, banded LSH, verified pairs.

The same achievement arrives from several platforms, re-posted and lightly edited; a shortlist
shows it once and lists the other copies. Signatures are plain integer arrays (saved with the
index, appended on upsert); groups come from banding them and keeping candidate pairs whose
estimated Jaccard similarity of shingle sets reaches ``threshold``. A pair's verdict depends on its
two rows only, so once the pairs are known an upsert verifies only the pairs with the new rows and
a removal drops pairs: the service's first match after a write no longer bands the whole side.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import scipy.sparse as sp
from numba import njit, prange
from scipy.sparse.csgraph import connected_components

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


Pairs = tuple[np.ndarray, np.ndarray, np.ndarray]
"""Verified pairs as three arrays: first rows, second rows (first < second) and similarities."""


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
        self._pairs: Pairs | None = None  # verified pairs, once banded

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
        """The finder with ``records`` appended; known pairs are kept and only pairs with them are verified."""
        old = len(self.signatures_)
        other = self.with_signatures(np.vstack([self.signatures_, self.signatures(records)]))
        known = self._pairs
        if known is not None:
            added = other._pairs_with(old)
            xs, ys, similarity = (np.concatenate([k, a]) for k, a in zip(known, added, strict=True))
            order = np.lexsort((ys, xs))
            other._pairs = xs[order], ys[order], similarity[order]
        return other

    def without(self, keep: np.ndarray) -> DuplicateFinder:
        """The finder without the rows where ``keep`` is false; known pairs follow, renumbered."""
        other = self.with_signatures(self.signatures_[np.flatnonzero(keep)])
        known = self._pairs
        if known is not None:
            xs, ys, similarity = known
            kept = keep[xs] & keep[ys]
            position = np.cumsum(keep) - 1
            other._pairs = position[xs[kept]], position[ys[kept]], similarity[kept]
        return other

    def pairs(self) -> list[tuple[int, int, float]]:
        """Candidate pairs sharing a band, kept where the estimated Jaccard reaches the threshold, by (x, y)."""
        xs, ys, similarity = self._verified()
        return list(zip(xs.tolist(), ys.tolist(), similarity.tolist(), strict=True))

    def _verified(self) -> Pairs:
        """Verified pairs ``(xs, ys, similarity)``, ``x < y``, sorted; banded once, then kept up to date."""
        if self._pairs is None:
            self._pairs = self._banded()
        return self._pairs

    def _pairs_with(self, start: int) -> Pairs:
        """Verified pairs ``(xs, ys, similarity)`` with at least one row from ``start`` on: the rows that
        share a band's minimum hashes with one of those, found by a compiled scan of every row."""
        signatures, rows = self.signatures_, self.permutations // self.bands
        codes = np.unique(_shared_band(_band_keys(signatures, rows), signatures, start, rows))
        n = len(signatures)
        xs, ys = codes // n, codes % n
        similarity = (signatures[xs] == signatures[ys]).sum(axis=1) / self.permutations
        found = similarity >= self.threshold
        return xs[found], ys[found], similarity[found]

    def _banded(self) -> Pairs:
        """Every verified pair: each candidate pair is checked once, in the first band that buckets it,
        by a compiled kernel."""
        signatures, n = self.signatures_, len(self.signatures_)
        rows = self.permutations // self.bands
        orders = np.empty((self.bands, n), dtype=np.int64)
        bucket_of = np.empty((self.bands, n), dtype=np.int64)
        starts, stops, band_of = [], [], []
        for band in range(self.bands):
            keys = np.ascontiguousarray(signatures[:, band * rows : (band + 1) * rows]).view(f"V{4 * rows}").ravel()
            order = np.argsort(keys, kind="stable")
            ordered = keys[order]
            new = np.r_[True, ordered[1:] != ordered[:-1]] if n else np.zeros(0, dtype=bool)
            orders[band] = order
            bucket_of[band, order] = np.cumsum(new) - 1
            first = np.flatnonzero(new)
            last = np.r_[first[1:], n]
            shared = last - first > 1
            starts.append(first[shared])
            stops.append(last[shared])
            band_of.append(np.full(int(shared.sum()), band, dtype=np.int64))
        codes, similarity = _verified_pairs(
            orders,
            np.concatenate(band_of),
            np.concatenate(starts).astype(np.int64),
            np.concatenate(stops).astype(np.int64),
            bucket_of,
            signatures,
            self.threshold,
        )
        order = np.argsort(codes, kind="stable")
        codes, similarity = codes[order], similarity[order]
        return codes // n, codes % n, similarity

    def groups(self) -> list[list[int]]:
        """Groups of two or more near-duplicate positions, each sorted, in order of first member."""
        n = len(self.signatures_)
        xs, ys, _ = self._verified()
        graph = sp.csr_matrix((np.ones(len(xs), dtype=np.int8), (xs, ys)), shape=(n, n))
        _, labels = connected_components(graph, directed=False)
        order = np.argsort(labels, kind="stable")  # positions ascending within each component
        bounds = np.flatnonzero(np.r_[True, labels[order][1:] != labels[order][:-1], True])
        found = [order[a:b].tolist() for a, b in zip(bounds[:-1], bounds[1:], strict=True) if b - a > 1]
        return sorted(found, key=lambda g: g[0])


@njit(cache=True)
def _band_keys(signatures, rows):  # type: ignore[no-untyped-def]
    """A 64-bit hash of each row's minimum hashes in each band: ``(bands, n)``; equal bands, equal keys."""
    n, permutations = signatures.shape
    keys = np.empty((permutations // rows, n), dtype=np.uint64)
    for band in range(permutations // rows):
        for x in range(n):
            h = np.uint64(14695981039346656037)
            for k in range(band * rows, (band + 1) * rows):
                h = (h ^ np.uint64(signatures[x, k])) * np.uint64(1099511628211)
            keys[band, x] = h
    return keys


@njit(cache=True)
def _shared_band(keys, signatures, start, rows):  # type: ignore[no-untyped-def]
    """Codes ``x * n + y`` (x < y, y >= start) of the row pairs whose minimum hashes agree in a whole band
    (keys found by binary search among the new rows' keys, then the band compared value by value)."""
    bands, n = keys.shape
    codes = [np.int64(0) for _ in range(0)]
    for band in range(bands):
        new = keys[band, start:]
        order = np.argsort(new)
        ordered = new[order]
        for x in range(n):
            i = np.searchsorted(ordered, keys[band, x])
            while i < ordered.shape[0] and ordered[i] == keys[band, x]:
                y = start + order[i]
                i += 1
                if x >= y and x >= start:  # a pair of two new rows: once, from its smaller row
                    continue
                same = True
                for k in range(band * rows, (band + 1) * rows):
                    if signatures[x, k] != signatures[y, k]:
                        same = False
                        break
                if same:
                    codes.append(min(x, y) * n + max(x, y))
    return np.array(codes, dtype=np.int64)


@njit(cache=True)
def _verified_pairs(orders, band_of, starts, stops, bucket_of, signatures, threshold):  # type: ignore[no-untyped-def]
    """Pairs of each shared bucket not already bucketed together by an earlier band, kept where the
    share of equal minimum hashes reaches ``threshold``: codes ``x * n + y`` (x < y) and similarities."""
    n, permutations = signatures.shape
    codes, similarity = [np.int64(0) for _ in range(0)], [np.float64(0) for _ in range(0)]
    for b in range(starts.shape[0]):
        band, order = band_of[b], orders[band_of[b]]
        for i in range(starts[b], stops[b]):
            for j in range(i + 1, stops[b]):
                x, y = min(order[i], order[j]), max(order[i], order[j])
                seen = False
                for earlier in range(band):
                    if bucket_of[earlier, x] == bucket_of[earlier, y]:
                        seen = True
                        break
                if seen:
                    continue
                equal = 0
                for k in range(permutations):
                    equal += signatures[x, k] == signatures[y, k]
                share = equal / permutations
                if share >= threshold:
                    codes.append(x * n + y)
                    similarity.append(share)
    return np.array(codes, dtype=np.int64), np.array(similarity, dtype=np.float64)
