"""Compiled scoring over term columns: a query's scores are the sum of its terms' document columns.

The index keeps its weights column by column (CSC: for each term, the documents that hold it and
their weights, float32), so scoring a query touches only the postings of its own terms. numba
kernels add those columns into a per-thread accumulator in the same order as SciPy's sparse
product (so text scores are bitwise the same), then fold in the boosts and filter of the engine
and keep the best ``k`` in a small heap: the corpus is never sorted, and no
``(queries x documents)`` matrix exists. Batches run in parallel over queries; a single query on
a very large index splits the documents between the threads.
"""

from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np
from numba import njit, prange

from .parallel import serialized


class Columns(NamedTuple):
    """One segment of documents in CSC layout: term ``t`` owns ``indices/data[indptr[t]:indptr[t+1]]``."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray


class Pairing(NamedTuple):
    """What the kernel needs for the boosts of one query against every document (zero: no boost).

    ``rows_*`` are per-document attributes; ``query`` holds, per query, its province code,
    maturity rank and cooperation-mode bits (-1 / 0 when unknown).
    """

    rows_province: np.ndarray
    rows_maturity: np.ndarray
    rows_modes: np.ndarray
    query: np.ndarray
    points: np.ndarray
    query_is_demand: bool


NO_PAIRING = Pairing(
    np.zeros(0, np.int32),
    np.zeros(0, np.int8),
    np.zeros(0, np.int16),
    np.zeros((0, 3), np.int32),
    np.zeros(3, np.float32),
    True,
)
"""No boosts: text scores alone."""


@njit(cache=True, nogil=True)
def _accumulate(q_idx, q_val, cols, offset, lo, hi, partial, acc):  # type: ignore[no-untyped-def]
    """acc[d - lo] += q_t * w_td for every query term t and document d in [lo, hi) of this segment."""
    indptr, indices, data = cols
    for t in range(q_idx.shape[0]):
        start, end = indptr[q_idx[t]], indptr[q_idx[t] + 1]
        if partial:  # postings are sorted by document: find the slice inside [lo, hi)
            column = indices[start:end]
            start, end = start + np.searchsorted(column, lo - offset), start + np.searchsorted(column, hi - offset)
        weight = q_val[t]
        for j in range(start, end):
            acc[indices[j] + offset - lo] += weight * data[j]


@njit(cache=True, nogil=True)
def _worse(s1, d1, s2, d2):  # type: ignore[no-untyped-def]
    return s1 < s2 or (s1 == s2 and d1 > d2)


@njit(cache=True, nogil=True)
def _sift_down(hs, ht, hd, size, i):  # type: ignore[no-untyped-def]
    while True:
        child = 2 * i + 1
        if child >= size:
            return
        if child + 1 < size and _worse(hs[child + 1], hd[child + 1], hs[child], hd[child]):
            child += 1
        if not _worse(hs[child], hd[child], hs[i], hd[i]):
            return
        hs[i], hs[child] = hs[child], hs[i]
        ht[i], ht[child] = ht[child], ht[i]
        hd[i], hd[child] = hd[child], hd[i]
        i = child


@njit(cache=True, nogil=True)
def _boost(d, q, pr, ma, mo, query, points, demand):  # type: ignore[no-untyped-def]
    """The engine's boosts for document d, summed in the engine's order (region, maturity, modes)."""
    total = np.float32(0.0)
    if query[q, 0] >= 0 and points[0] > 0:
        total += points[0] if pr[d] == query[q, 0] else np.float32(0.0)
    if query[q, 1] >= 0 and points[1] > 0:
        fit = ma[d] >= query[q, 1] if demand else (ma[d] >= 0 and ma[d] <= query[q, 1])
        total += points[1] if fit else np.float32(0.0)
    if query[q, 2] > 0 and points[2] > 0:
        total += points[2] if (mo[d] & query[q, 2]) != 0 else np.float32(0.0)
    return total


@njit(cache=True, nogil=True)
def _push(heap, size, k, score, text, d):  # type: ignore[no-untyped-def]
    """Offer (score, text, d) to a bounded min-heap of the best k holding ``size``; returns the new size."""
    hs, ht, hd = heap
    if size < k:
        hs[size], ht[size], hd[size] = score, text, d
        size += 1
        if size == k:
            for j in range(k // 2 - 1, -1, -1):
                _sift_down(hs, ht, hd, size, j)
    elif k > 0 and _worse(hs[0], hd[0], score, d):
        hs[0], ht[0], hd[0] = score, text, d
        _sift_down(hs, ht, hd, size, 0)
    return size


@njit(cache=True, nogil=True)
def _select(acc, lo, q, k, floor, mask, pairing, heap, m, by_text):  # type: ignore[no-untyped-def]
    """Best k of acc (documents lo..) by final score, and best m by text score alone (no filter, no
    boosts: the candidates a short query's coverage re-ranks), zeroing acc as it goes; returns both sizes."""
    pr, ma, mo, query, points, demand = pairing
    size = size_by_text = 0
    least, least_d = heap[0], heap[2]  # the heaps' roots, read inline: a call per document costs more
    least_by_text, least_by_text_d = by_text[0], by_text[2]
    for i in range(acc.shape[0]):
        text = acc[i]
        if text <= 0:
            continue
        acc[i] = 0
        d = lo + i
        if m > 0 and (size_by_text < m or _worse(least_by_text[0], least_by_text_d[0], text, d)):
            size_by_text = _push(by_text, size_by_text, m, text, text, d)
        if mask.shape[0] and not mask[d]:
            continue
        final = text + _boost(d, q, pr, ma, mo, query, points, demand) if query.shape[0] else text
        if final <= floor:
            continue
        if size < k or _worse(least[0], least_d[0], final, d):
            size = _push(heap, size, k, final, text, d)
    return size, size_by_text


@njit(cache=True, nogil=True)
def _rank_range(q_idx, q_val, base, tail, n_docs, lo, hi, q, k, floor, mask, pairing, acc, heap, m, by_text):  # type: ignore[no-untyped-def]
    partial = lo > 0 or hi < n_docs
    _accumulate(q_idx, q_val, base[0], base[1], lo, hi, partial, acc)
    _accumulate(q_idx, q_val, tail[0], tail[1], lo, hi, partial, acc)
    return _select(acc[: hi - lo], lo, q, k, floor, mask, pairing, heap, m, by_text)


@njit(cache=True, nogil=True)
def _heap(k):  # type: ignore[no-untyped-def]
    return np.empty(k, dtype=np.float32), np.empty(k, dtype=np.float32), np.empty(k, dtype=np.int64)


@njit(cache=True, nogil=True)
def _rank_jobs(w, workers, parts, width, q_indptr, q_indices, q_data, segs, n_docs, k, m, floor, mask, pairing, out):  # type: ignore[no-untyped-def]
    """Worker w's share: jobs w, w + workers, ... of (query, part of the documents)."""
    base, tail = segs
    found, f_s, f_t, c_found, c_t = out
    acc = np.zeros(width, dtype=np.float32)
    heap, by_text = _heap(k), _heap(m)
    for job in range(w, (q_indptr.shape[0] - 1) * parts, workers):
        q, part = job // parts, job % parts
        lo, hi = part * width, min(n_docs, (part + 1) * width)
        if lo >= hi:
            continue
        q_idx = q_indices[q_indptr[q] : q_indptr[q + 1]]
        q_val = q_data[q_indptr[q] : q_indptr[q + 1]]
        size, size_by_text = _rank_range(
            q_idx, q_val, base, tail, n_docs, lo, hi, q, k, floor, mask, pairing, acc, heap, m, by_text
        )
        found[q, part, :size] = heap[2][:size]
        f_s[q, part, :size] = heap[0][:size]
        f_t[q, part, :size] = heap[1][:size]
        c_found[q, part, :size_by_text] = by_text[2][:size_by_text]
        c_t[q, part, :size_by_text] = by_text[1][:size_by_text]


@njit(cache=True, nogil=True)
def _results(n_queries, parts, k, m):  # type: ignore[no-untyped-def]
    return (
        np.full((n_queries, parts, k), -1, dtype=np.int64),
        np.zeros((n_queries, parts, k), dtype=np.float32),
        np.zeros((n_queries, parts, k), dtype=np.float32),
        np.full((n_queries, parts, m), -1, dtype=np.int64),
        np.zeros((n_queries, parts, m), dtype=np.float32),
    )


@njit(cache=True, nogil=True)
def _merged_results(out, k, m):  # type: ignore[no-untyped-def]
    found, f_s, f_t, c_found, c_t = out
    positions, finals, texts = _merge(found, f_s, f_t, k)
    candidates, _, candidate_texts = _merge(c_found, c_t, c_t, m)
    return positions, finals, texts, candidates, candidate_texts


@njit(cache=True, nogil=True)
def _rank_serial(q_indptr, q_indices, q_data, base, tail, n_docs, k, m, floor, mask, pairing):  # type: ignore[no-untyped-def]
    out = _results(q_indptr.shape[0] - 1, 1, k, m)
    _rank_jobs(0, 1, 1, n_docs, q_indptr, q_indices, q_data, (base, tail), n_docs, k, m, floor, mask, pairing, out)
    return _merged_results(out, k, m)


@njit(cache=True, parallel=True)
def _rank_parallel(
    q_indptr,
    q_indices,
    q_data,
    b_ip,
    b_ix,
    b_d,
    t_ip,
    t_ix,
    t_d,
    t_off,
    n_docs,
    k,
    m,
    floor,
    mask,
    pr,
    ma,
    mo,
    query,
    points,
    demand,
    threads,
):  # type: ignore[no-untyped-def]
    """Queries spread over the threads; fewer queries than threads: each query's documents are split."""
    n_queries = q_indptr.shape[0] - 1
    parts = threads if n_queries < threads else 1
    width = (n_docs + parts - 1) // parts
    workers = min(threads, n_queries * parts)
    out = _results(n_queries, parts, k, m)
    for w in prange(workers):
        segs = (((b_ip, b_ix, b_d), 0), ((t_ip, t_ix, t_d), t_off))
        pairing = (pr, ma, mo, query, points, demand)
        _rank_jobs(w, workers, parts, width, q_indptr, q_indices, q_data, segs, n_docs, k, m, floor, mask, pairing, out)
    return _merged_results(out, k, m)


PARALLEL_WORK = 2_000_000
"""Documents x queries below which one thread answers: waking the others costs more than they save."""


@njit(cache=True)
def _merge(found, f_s, f_t, k):  # type: ignore[no-untyped-def]
    """Each query's parts merged, best first: insertion by (score desc, position asc)."""
    n_queries, parts = found.shape[0], found.shape[1]
    positions = np.full((n_queries, k), -1, dtype=np.int64)
    finals = np.zeros((n_queries, k), dtype=np.float32)
    texts = np.zeros((n_queries, k), dtype=np.float32)
    for q in range(n_queries):
        kept = 0
        for part in range(parts):
            for j in range(k):
                d = found[q, part, j]
                if d < 0:
                    continue
                score, text = f_s[q, part, j], f_t[q, part, j]
                if kept == k and not _worse(finals[q, k - 1], positions[q, k - 1], score, d):
                    continue
                i = k - 1 if kept == k else kept
                while i > 0 and _worse(finals[q, i - 1], positions[q, i - 1], score, d):
                    positions[q, i], finals[q, i], texts[q, i] = positions[q, i - 1], finals[q, i - 1], texts[q, i - 1]
                    i -= 1
                positions[q, i], finals[q, i], texts[q, i] = d, score, text
                kept = min(k, kept + 1)
    return positions, finals, texts


class Ranking(NamedTuple):
    """Best k per query (positions, final scores, text scores; -1 where fewer) and, when asked for,
    the best m by text score alone, unfiltered (``candidates``, ``candidate_texts``)."""

    positions: np.ndarray
    scores: np.ndarray
    texts: np.ndarray
    candidates: np.ndarray
    candidate_texts: np.ndarray


def rank_queries(queries, segments, n_docs, k, floor, mask, pairing, m=0):  # type: ignore[no-untyped-def]
    """Best k documents of every query, and its best m by text alone, in one pass over its columns."""
    (base, _), (tail, t_off) = segments
    q = (queries.indptr, queries.indices, queries.data)
    threads = numba.get_num_threads()
    if threads == 1 or n_docs * queries.shape[0] < PARALLEL_WORK:
        return Ranking(*_rank_serial(*q, (base, 0), (tail, t_off), n_docs, k, m, floor, mask, tuple(pairing)))
    return Ranking(*serialized(_rank_parallel)(*q, *base, *tail, t_off, n_docs, k, m, floor, mask, *pairing, threads))


@njit(cache=True, parallel=True)
def _dense(q_indptr, q_indices, q_data, b_ip, b_ix, b_d, t_ip, t_ix, t_d, t_off, n_docs):  # type: ignore[no-untyped-def]
    out = np.zeros((q_indptr.shape[0] - 1, n_docs), dtype=np.float32)
    for q in prange(q_indptr.shape[0] - 1):
        q_idx = q_indices[q_indptr[q] : q_indptr[q + 1]]
        q_val = q_data[q_indptr[q] : q_indptr[q + 1]]
        _accumulate(q_idx, q_val, (b_ip, b_ix, b_d), 0, 0, n_docs, False, out[q])
        _accumulate(q_idx, q_val, (t_ip, t_ix, t_d), t_off, 0, n_docs, False, out[q])
    return out


def dense_scores(queries, segments, n_docs):  # type: ignore[no-untyped-def]
    """Text scores of every query against every document (for small inputs and tests)."""
    (base, _), (tail, t_off) = segments
    return serialized(_dense)(queries.indptr, queries.indices, queries.data, *base, *tail, t_off, n_docs)


@njit(cache=True, nogil=True)
def _weights_in(q_idx, indptr, indices, data, local, out):  # type: ignore[no-untyped-def]
    for t in range(q_idx.shape[0]):
        start, end = indptr[q_idx[t]], indptr[q_idx[t] + 1]
        j = start + np.searchsorted(indices[start:end], local)
        if j < end and indices[j] == local:
            out[t] = data[j]


@njit(cache=True, parallel=True)
def keep_rows(cols, keep):  # type: ignore[no-untyped-def]
    """The same columns without the documents where ``keep`` is false, positions renumbered."""
    indptr, indices, data = cols
    new_position = np.cumsum(keep.astype(np.int64)) - 1
    n_terms = indptr.shape[0] - 1
    counts = np.zeros(n_terms + 1, dtype=np.int64)
    for t in prange(n_terms):
        c = 0
        for j in range(indptr[t], indptr[t + 1]):
            c += keep[indices[j]]
        counts[t + 1] = c
    new_indptr = np.cumsum(counts)
    new_indices = np.empty(new_indptr[-1], dtype=indices.dtype)
    new_data = np.empty(new_indptr[-1], dtype=data.dtype)
    for t in prange(n_terms):
        out = new_indptr[t]
        for j in range(indptr[t], indptr[t + 1]):
            if keep[indices[j]]:
                new_indices[out] = new_position[indices[j]]
                new_data[out] = data[j]
                out += 1
    return new_indptr, new_indices, new_data


@njit(cache=True)
def csr_into_columns(indptr, indices, data, n_columns, out_indices, out_data, offset):  # type: ignore[no-untyped-def]
    """Write a CSR matrix column by column (CSC) into ``out_*`` from ``offset``; returns its column pointers there.

    The same layout as SciPy's ``tocsc`` (rows ascending in each column), written where the
    index wants it, so a build never holds a channel's weights twice in the same layout.
    """
    counts = np.zeros(n_columns + 1, dtype=np.int64)
    for j in range(indices.shape[0]):
        counts[indices[j] + 1] += 1
    pointers = np.cumsum(counts) + offset
    cursor = pointers[:-1].copy()
    for row in range(indptr.shape[0] - 1):
        for j in range(indptr[row], indptr[row + 1]):
            column = indices[j]
            out_indices[cursor[column]] = row
            out_data[cursor[column]] = data[j]
            cursor[column] += 1
    return pointers


@njit(cache=True)
def _weights_many(q_idx, base, tail, t_off, positions, out):  # type: ignore[no-untyped-def]
    for i in range(positions.shape[0]):
        if positions[i] < t_off:
            _weights_in(q_idx, base[0], base[1], base[2], positions[i], out[i])
        else:
            _weights_in(q_idx, tail[0], tail[1], tail[2], positions[i] - t_off, out[i])


def weights_of(q_idx: np.ndarray, segments: tuple, positions: np.ndarray) -> np.ndarray:
    """The document weights of the query's terms in each of ``positions`` (0 where absent), shape
    ``(len(positions), len(q_idx))``: a binary search per term and document."""
    out = np.zeros((positions.shape[0], q_idx.shape[0]), dtype=np.float32)
    (base, _), (tail, t_off) = segments
    _weights_many(q_idx, base, tail, t_off, positions.astype(np.int64), out)
    return out


@njit(cache=True)
def _row_lengths(indptr, indices, offset, slot, lengths):  # type: ignore[no-untyped-def]
    for t in range(indptr.shape[0] - 1):
        for j in range(indptr[t], indptr[t + 1]):
            s = slot[indices[j] + offset]
            if s >= 0:
                lengths[s + 1] += 1


@njit(cache=True)
def _row_fill(indptr, indices, data, offset, slot, cursor, out_indices, out_data):  # type: ignore[no-untyped-def]
    for t in range(indptr.shape[0] - 1):
        for j in range(indptr[t], indptr[t + 1]):
            s = slot[indices[j] + offset]
            if s >= 0:
                out_indices[cursor[s]] = t
                out_data[cursor[s]] = data[j]
                cursor[s] += 1


def gather_rows(segments: tuple, n_docs: int, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR arrays (indptr, indices, data) of the documents at distinct ``positions``, in that order.

    One pass over every posting: meant for training (classifier, latent space) and the optional
    parts of a score, not for the ranking path.
    """
    slot = np.full(n_docs, -1, dtype=np.int64)
    slot[positions] = np.arange(positions.shape[0])
    lengths = np.zeros(positions.shape[0] + 1, dtype=np.int64)
    for columns, offset in segments:
        _row_lengths(columns.indptr, columns.indices, offset, slot, lengths)
    indptr = np.cumsum(lengths)
    indices, data = np.empty(indptr[-1], dtype=np.int32), np.empty(indptr[-1], dtype=np.float32)
    cursor = indptr[:-1].copy()
    for columns, offset in segments:
        _row_fill(columns.indptr, columns.indices, columns.data, offset, slot, cursor, indices, data)
    return indptr, indices, data
