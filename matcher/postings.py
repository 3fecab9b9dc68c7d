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


class Rows(NamedTuple):
    """The base segment document by document (CSR: document ``d`` owns ``indices/data[indptr[d]:indptr[d+1]]``,
    its terms ascending): a candidate's exact score is one pass over its own row, in contiguous memory,
    instead of a search in each query term's column."""

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
def _accumulate(q_idx, q_val, cols, offset, acc):  # type: ignore[no-untyped-def]
    """acc[d] += q_t * w_td for every query term t and document d of this segment, in the plain product's order."""
    indptr, indices, data = cols
    for t in range(q_idx.shape[0]):
        _add_all(indices, data, indptr[q_idx[t]], indptr[q_idx[t] + 1], q_val[t], offset, acc)


@njit(cache=True, nogil=True)
def _add_all(indices, data, start, end, weight, shift, acc):  # type: ignore[no-untyped-def]
    """acc[indices[j] + shift] += weight * data[j] for the postings [start, end) of a column."""
    for j in range(start, end):
        acc[indices[j] + shift] += weight * data[j]


@njit(cache=True, nogil=True)
def _worse(s1, d1, s2, d2):  # type: ignore[no-untyped-def]
    return s1 < s2 or (s1 == s2 and d1 > d2)


@njit(cache=True, nogil=True)
def _place(hd, i, groups, slot_of):  # type: ignore[no-untyped-def]
    """Note that heap slot i holds its document's near-duplicate group (if it has one)."""
    if groups.shape[0]:
        g = groups[hd[i]]
        if g >= 0:
            slot_of[g] = i


@njit(cache=True, nogil=True)
def _sift_down(hs, ht, hd, size, i, groups, slot_of):  # type: ignore[no-untyped-def]
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
        _place(hd, i, groups, slot_of)
        _place(hd, child, groups, slot_of)
        i = child


@njit(cache=True, nogil=True)
def _wanted(q, pairing):  # type: ignore[no-untyped-def]
    """Query q's side of the boosts as scalars (its province, maturity rank, mode bits, the three
    points, the direction): per-document loops pass these, never arrays, whose reference counting
    would cost more than the boost itself."""
    _, _, _, query, points, demand = pairing
    if query.shape[0] == 0:
        return -1, -1, 0, np.float32(0.0), np.float32(0.0), np.float32(0.0), demand
    return query[q, 0], query[q, 1], query[q, 2], points[0], points[1], points[2], demand


@njit(cache=True, nogil=True)
def _boost(province, maturity, modes, wanted):  # type: ignore[no-untyped-def]
    """The engine's boosts for a document with these attributes, summed in the engine's order (region, maturity, modes)."""
    q_province, q_maturity, q_modes, region_points, maturity_points, mode_points, demand = wanted
    total = np.float32(0.0)
    if q_province >= 0 and region_points > 0 and province == q_province:
        total += region_points
    if q_maturity >= 0 and maturity_points > 0:
        if (maturity >= q_maturity) if demand else (maturity >= 0 and maturity <= q_maturity):
            total += maturity_points
    if q_modes > 0 and mode_points > 0 and (modes & q_modes) != 0:
        total += mode_points
    return total


@njit(cache=True, nogil=True)
def _push(heap, size, k, score, text, d):  # type: ignore[no-untyped-def]
    """Offer (score, text, d) to a bounded min-heap of the best k holding ``size``; returns the new size.

    A heap of :func:`_heap` with ``groups`` (document -> near-duplicate group, -1: none) holds one
    document per group, the best: a copy replaces its group's entry only when it is better.
    ``slot_of`` (group -> heap slot) is trusted only where that slot still holds the group, so it is
    never reset between queries.
    """
    hs, ht, hd, groups, slot_of = heap
    if groups.shape[0] and groups[d] >= 0:
        s = slot_of[groups[d]]
        if 0 <= s < size and groups[hd[s]] == groups[d]:
            if _worse(hs[s], hd[s], score, d):
                hs[s], ht[s], hd[s] = score, text, d
                if size == k:  # better is further from the root of a min-heap
                    _sift_down(hs, ht, hd, size, s, groups, slot_of)
            return size
    if size < k:
        hs[size], ht[size], hd[size] = score, text, d
        _place(hd, size, groups, slot_of)
        size += 1
        if size == k:
            for j in range(k // 2 - 1, -1, -1):
                _sift_down(hs, ht, hd, size, j, groups, slot_of)
    elif k > 0 and _worse(hs[0], hd[0], score, d):
        hs[0], ht[0], hd[0] = score, text, d
        _place(hd, 0, groups, slot_of)
        _sift_down(hs, ht, hd, size, 0, groups, slot_of)
    return size


PRUNE_MARGIN = 1e-4
"""Scores summed in another order than the exact one differ by far less than this; every bound
and threshold of the pruned pass keeps it as a margin, and the documents that end within it of
the best are rescored in the exact order."""


GALLOP = 16
"""A column this many times longer than the candidates is searched candidate by candidate, not read through."""
THRESHOLD_SAMPLE = 2048
"""While every document counts, thresholds are taken over the first documents seen (those of the
heaviest terms, the likely best): any subset gives lower bounds, and a small one is cheap to check often."""
CHECK_COST = 4
"""Thresholds are checked before a term when the postings left are this many times the documents
sampled and at least as many postings were read since the last check: checks never cost more than
the reading they may save, nor than the reading done."""


@njit(cache=True, nogil=True)
def _slices(q_idx, cols, offset, lo, hi, partial, starts, ends):  # type: ignore[no-untyped-def]
    """Each query term's postings inside documents [lo, hi) of this segment."""
    indptr, indices, _ = cols
    for t in range(q_idx.shape[0]):
        start, end = indptr[q_idx[t]], indptr[q_idx[t] + 1]
        if partial:  # postings are sorted by document: find the slice inside [lo, hi)
            column = indices[start:end]
            start, end = start + np.searchsorted(column, lo - offset), start + np.searchsorted(column, hi - offset)
        starts[t], ends[t] = start, end


@njit(cache=True, nogil=True)
def _add_column(indices, data, start, end, weight, offset, lo, acc, touched, n):  # type: ignore[no-untyped-def]
    """acc += weight * column for every posting, noting documents seen for the first time; returns their count."""
    for j in range(start, end):
        i = indices[j] + offset - lo
        before = acc[i]
        acc[i] += weight * data[j]
        if before == 0 and acc[i] != 0:
            touched[n] = i
            n += 1
    return n


@njit(cache=True, nogil=True)
def _touched(acc, size, held):  # type: ignore[no-untyped-def]
    """The documents [0, size) whose acc is not zero, ascending, into held; returns their count."""
    n = 0
    for i in range(size):
        if acc[i] != 0:
            held[n] = i
            n += 1
    return n


@njit(cache=True, nogil=True)
def _gallop(indices, p, end, local):  # type: ignore[no-untyped-def]
    """The first j >= p with indices[j] >= local (end if none).

    A column's documents are spread fairly evenly over the corpus, so the first read is where
    ``local`` would lie if they were spread exactly evenly between indices[p] and the column's last;
    steps doubling from there, then a binary search, find it. A long hop in a column out of cache
    costs a few reads near the answer instead of a dozen spread over the hop.
    """
    if p >= end or indices[p] >= local:
        return p
    last = indices[end - 1]
    if last < local:
        return end
    first = indices[p]  # first < local <= last
    guess = p + np.int64((local - first) * np.float64(end - 1 - p) / (last - first))
    if indices[guess] >= local:  # the answer is in (p, guess]: step back
        step = 1
        while guess - step > p and indices[guess - step] >= local:
            step *= 2
        low, high = max(p, guess - step), guess - step // 2
    else:  # the answer is in (guess, end): step on
        step = 1
        while guess + step < end and indices[guess + step] < local:
            step *= 2
        low, high = guess + step // 2, min(guess + step, end)
    return low + np.searchsorted(indices[low:high], local)


@njit(cache=True, nogil=True)
def _add_to_candidates(indices, data, start, end, weight, offset, lo, acc, candidates, n, ordered):  # type: ignore[no-untyped-def]
    """acc += weight * column for the candidates only, whose acc is not zero: a forward search per
    candidate when they are ``ordered`` and few against the column, else one filtered pass over it.
    Returns the postings (or searches) it read."""
    if ordered and n * GALLOP < end - start:
        p = start
        for x in range(n):
            local = candidates[x] + lo - offset
            if local < 0:
                continue
            p = _gallop(indices, p, end, local)
            if p >= end:
                break
            if indices[p] == local:
                acc[candidates[x]] += weight * data[p]
        return n
    for j in range(start, end):
        i = indices[j] + offset - lo
        if acc[i] != 0:
            acc[i] += weight * data[j]
    return end - start


@njit(cache=True, nogil=True)
def _rescore_in(q_val, indices, data, starts, ends, docs, offset, lo, acc):  # type: ignore[no-untyped-def]
    """acc of the ``docs`` (ascending, all in this segment) += q_t x weight, term by term in order.

    Terms outer, documents inner: one column is searched for every document in turn, each search
    starting where the previous one ended (:func:`_gallop`).
    """
    for t in range(q_val.shape[0]):
        weight, p, end = q_val[t], starts[t], ends[t]
        for x in range(docs.shape[0]):
            p = _gallop(indices, p, end, docs[x] + lo - offset)
            if p == end:
                break
            if indices[p] == docs[x] + lo - offset:
                acc[docs[x]] += weight * data[p]


@njit(cache=True, nogil=True)
def _ascending(q_idx):  # type: ignore[no-untyped-def]
    """Whether the query's terms are in column order (the order rows are read in); queries built by
    the index always are, and a query that is not is scored by column searches instead."""
    for t in range(1, q_idx.shape[0]):
        if q_idx[t] <= q_idx[t - 1]:
            return False
    return True


@njit(cache=True, nogil=True)
def _row_score(q_idx, q_val, indices, data, start, end):  # type: ignore[no-untyped-def]
    """One document's exact text score from its row [start, end): the query's terms (ascending) and
    the row's met in one pass, summed in the query's order into a float32, as the plain product sums."""
    total = np.float32(0.0)
    j = start
    for t in range(q_idx.shape[0]):
        column = q_idx[t]
        while j < end and indices[j] < column:
            j += 1
        if j == end:
            break
        if indices[j] == column:
            total += q_val[t] * data[j]
    return total


@njit(cache=True, nogil=True)
def _rescore(acc, held, n, lo, q_idx, q_val, segments, rows, by_rows, starts, ends):  # type: ignore[no-untyped-def]
    """acc of documents lo + held[:n] set to their text scores summed in the exact order (query
    terms in column order, into a float32 as the plain product sums it); sorts held[:n].

    With ``by_rows`` (the query's terms ascending) documents of the base are read from their
    ``rows``; the others by a search in each term's column."""
    (base, _), (tail, t_off) = segments
    docs = held[:n]
    docs.sort()
    for x in range(n):
        acc[docs[x]] = 0
    split = np.searchsorted(docs, t_off - lo)
    if by_rows:
        r_indptr, r_indices, r_data = rows
        for x in range(split):
            d = docs[x] + lo
            acc[docs[x]] = _row_score(q_idx, q_val, r_indices, r_data, r_indptr[d], r_indptr[d + 1])
    else:
        _rescore_in(q_val, base[1], base[2], starts[0], ends[0], docs[:split], 0, lo, acc)
    _rescore_in(q_val, tail[1], tail[2], starts[1], ends[1], docs[split:], t_off, lo, acc)


@njit(cache=True, nogil=True)
def _most_boost(wanted):  # type: ignore[no-untyped-def]
    """The most the boosts can add to any document's score for this query."""
    q_province, q_maturity, q_modes, region_points, maturity_points, mode_points, _ = wanted
    return (
        (region_points if q_province >= 0 else 0.0)
        + (maturity_points if q_maturity >= 0 else 0.0)
        + (mode_points if q_modes > 0 else 0.0)
    )


@njit(cache=True, nogil=True)
def _surely_under(score, most_boost, theta, theta_text):  # type: ignore[no-untyped-def]
    """Whether a text score (or what one can still reach) stays, with the pruning margin, under
    ``theta`` with the most the boosts can add and under ``theta_text`` alone: it reaches neither heap."""
    return score + most_boost + PRUNE_MARGIN < theta and score + PRUNE_MARGIN < theta_text


@njit(cache=True, nogil=True)
def _best(acc, held, n, lo, q, k, floor, mask, pairing, heap, m, by_text, below, below_text):  # type: ignore[no-untyped-def]
    """Offer documents lo + held[:n] to the best-k heap (final score: boosts, filter, floor) and the
    best-m heap (text score alone, read in acc); returns both sizes. A document whose final score
    is surely under ``below`` and text score under ``below_text`` is not offered (-inf: all are)."""
    pr, ma, mo, query, _, _ = pairing
    wanted = _wanted(q, pairing)
    most = _most_boost(wanted)
    size = size_by_text = 0
    least, least_d = heap[0], heap[2]  # the heaps' roots, read inline: a call per document costs more
    least_by_text, least_by_text_d = by_text[0], by_text[2]
    for x in range(n):
        i = held[x]
        text = acc[i]
        if text <= 0 or _surely_under(text, most, below, below_text):
            continue
        d = lo + i
        if m > 0 and (size_by_text < m or _worse(least_by_text[0], least_by_text_d[0], text, d)):
            size_by_text = _push(by_text, size_by_text, m, text, text, d)
        if mask.shape[0] and not mask[d]:
            continue
        final = text + _boost(pr[d], ma[d], mo[d], wanted) if query.shape[0] else text
        if final <= floor:
            continue
        if size < k or _worse(least[0], least_d[0], final, d):
            size = _push(heap, size, k, final, text, d)
    return size, size_by_text


@njit(cache=True, nogil=True)
def _thresholds(acc, held, n, lo, q, k, floor, mask, pairing, heap, m, by_text, last, last_text):  # type: ignore[no-untyped-def]
    """The k-th best final score and m-th best text score among documents lo + held[:n] so far
    (lower bounds of the final ones: weights only add); +inf where nothing is wanted, -inf where
    fewer are held.

    ``last`` and ``last_text`` are the previous check's: scores have only grown since, and the
    documents then above them are still held, so no document below them can reach the heaps now and
    they are not offered (most of a check's time was pushing them through the heaps again)."""
    size, size_by_text = _best(acc, held, n, lo, q, k, floor, mask, pairing, heap, m, by_text, last, last_text)
    theta = np.inf if k == 0 else (heap[0][0] if size == k else -np.inf)
    theta_text = np.inf if m == 0 else (by_text[0][0] if size_by_text == m else -np.inf)
    return theta, theta_text


BLOCK_SHIFT = 7
"""Documents 2**BLOCK_SHIFT at a time share a block; a long column keeps its largest weight in each."""
ROW_CANDIDATES = 256
"""Candidates few enough to be scored from their rows (one pass over each, some 3 µs at 10^5
documents) rather than by reading the terms left for them (a search per term and candidate)."""
LONG_COLUMN = 4
"""A column holding this many postings per block of the corpus keeps its block maxima (others are
short: their postings are read to bound the blocks, which costs less than the table would)."""


@njit(cache=True, nogil=True)
def _add_block_bounds(ub, sign, weight, column, start, end, indices, data, maxima, blocks):  # type: ignore[no-untyped-def]
    """ub[b] += sign x weight x (the column's largest weight in base block b); ub[-1] (the tail) by its maximum."""
    rows, table = blocks
    row = rows[column]
    if row >= 0:
        for b in range(table.shape[1]):
            ub[b] += sign * weight * table[row, b]
    else:
        j = start
        while j < end:
            b, best = indices[j] >> BLOCK_SHIFT, data[j]
            j += 1
            while j < end and indices[j] >> BLOCK_SHIFT == b:
                best = max(best, data[j])
                j += 1
            ub[b] += sign * weight * best
    ub[ub.shape[0] - 1] += sign * weight * maxima[column]


@njit(cache=True, nogil=True)
def _still_in(acc, held, n, lo, q, ub, t_off, theta, theta_text, mask, pairing):  # type: ignore[no-untyped-def]
    """Keep (in place, in order) the documents that may still reach either heap with the most their
    block can still gain (``ub``: per base block, then the tail); zero the others' accumulators.
    Returns how many are kept."""
    pr, ma, mo, query, _, _ = pairing
    wanted = _wanted(q, pairing)
    tail = ub.shape[0] - 1
    kept = 0
    for x in range(n):
        i = held[x]
        d = lo + i
        text = acc[i]
        rest = ub[d >> BLOCK_SHIFT] if d < t_off else ub[tail]
        reach = text + rest + PRUNE_MARGIN >= theta_text
        if not reach and not (mask.shape[0] and not mask[d]):
            boost = _boost(pr[d], ma[d], mo[d], wanted) if query.shape[0] else 0.0
            reach = text + boost + rest + PRUNE_MARGIN >= theta
        if reach:
            held[kept] = i
            kept += 1
        else:
            acc[i] = 0
    return kept


@njit(cache=True, nogil=True)
def _rank_range(
    q_idx,
    q_val,
    segments,
    maxima,
    blocks,
    rows,
    n_docs,
    lo,
    hi,
    q,
    k,
    floor,
    mask,
    pairing,
    acc,
    held,
    heap,
    m,
    by_text,
):  # type: ignore[no-untyped-def]
    """Best k (and best m by text) of documents [lo, hi), pruned: returns both sizes and the postings read.

    Terms are taken from the highest possible contribution (query weight x the column's largest
    weight) down. Once the terms left could not lift a document no term has reached into either
    heap, their postings are read only for the documents still in the running (MaxScore, term at
    a time), each bounded by what the terms left hold in its own block (``blocks``, see
    :func:`block_maxima`; short columns are read for theirs), not by their largest weight anywhere:
    a tighter bound drops candidates sooner. Once at most :data:`ROW_CANDIDATES` are left, the
    terms left are not read at all: the candidates are scored from their own ``rows``. The pruned sums run in another order than the exact ones, so the documents within
    :data:`PRUNE_MARGIN` of the final thresholds are rescored exactly: the result is the exact one.
    """
    partial = lo > 0 or hi < n_docs
    n_terms = q_idx.shape[0]
    (base, _), (tail, t_off) = segments
    starts, ends = np.empty((2, n_terms), np.int64), np.empty((2, n_terms), np.int64)
    _slices(q_idx, base, 0, lo, hi, partial, starts[0], ends[0])
    _slices(q_idx, tail, t_off, lo, hi, partial, starts[1], ends[1])
    bound = np.empty(n_terms, np.float64)
    for t in range(n_terms):
        bound[t] = q_val[t] * max(maxima[0][q_idx[t]], maxima[1][q_idx[t]])
    order = np.argsort(-bound, kind="mergesort")
    rest, postings = np.zeros(n_terms + 1), np.zeros(n_terms + 1, np.int64)
    for x in range(n_terms - 1, -1, -1):
        t = order[x]
        rest[x] = rest[x + 1] + bound[t]
        postings[x] = postings[x + 1] + ends[0, t] - starts[0, t] + ends[1, t] - starts[1, t]
    most_boost = _most_boost(_wanted(q, pairing))
    by_rows = _ascending(q_idx)
    n, x, read, read_at_check = 0, 0, 0, 0
    theta, theta_text, unnoted = -np.inf, -np.inf, False
    while x < n_terms:  # every document that holds these terms counts
        sample = min(n, THRESHOLD_SAMPLE)
        if x > 0 and postings[x] >= CHECK_COST * sample and read - read_at_check >= sample:
            theta, theta_text = _thresholds(
                acc, held, sample, lo, q, k, floor, mask, pairing, heap, m, by_text, theta, theta_text
            )
            read_at_check = read
            if _surely_under(rest[x], most_boost, theta, theta_text):
                break
        t = order[x]
        if n < THRESHOLD_SAMPLE:  # noting the documents seen: the sample is the first of them
            n = _add_column(base[1], base[2], starts[0, t], ends[0, t], q_val[t], 0, lo, acc, held, n)
            n = _add_column(tail[1], tail[2], starts[1, t], ends[1, t], q_val[t], t_off, lo, acc, held, n)
        else:  # sampled: the rest are found by one scan at the end, cheaper than noting them as they come
            _add_all(base[1], base[2], starts[0, t], ends[0, t], q_val[t], -lo, acc)
            _add_all(tail[1], tail[2], starts[1, t], ends[1, t], q_val[t], t_off - lo, acc)
            unnoted = True
        read += postings[x] - postings[x + 1]
        x += 1
    if unnoted:
        n = _touched(acc, hi - lo, held)
    ub = np.zeros(blocks[1].shape[1] + 1)  # what the terms left can add, per base block and in the tail
    for y in range(x, n_terms):
        t = order[y]
        _add_block_bounds(ub, 1.0, q_val[t], q_idx[t], starts[0, t], ends[0, t], base[1], base[2], maxima[1], blocks)
    if x < n_terms:  # the rest: only for the documents still in the running
        n = _still_in(acc, held, n, lo, q, ub, t_off, theta, theta_text, mask, pairing)
        ordered = False
        while x < n_terms and not (by_rows and n <= ROW_CANDIDATES):
            t = order[x]
            _add_block_bounds(
                ub, -1.0, q_val[t], q_idx[t], starts[0, t], ends[0, t], base[1], base[2], maxima[1], blocks
            )
            if not ordered and n * GALLOP < postings[x] - postings[x + 1]:
                held[:n].sort()  # once: keeping the candidates in the running keeps their order
                ordered = True
            read += _add_to_candidates(
                base[1], base[2], starts[0, t], ends[0, t], q_val[t], 0, lo, acc, held, n, ordered
            )
            read += _add_to_candidates(
                tail[1], tail[2], starts[1, t], ends[1, t], q_val[t], t_off, lo, acc, held, n, ordered
            )
            x += 1
            if n > 16 * (k + m) and postings[x] >= CHECK_COST * n:  # many candidates, much left: drop some
                theta, theta_text = _thresholds(
                    acc, held, n, lo, q, k, floor, mask, pairing, heap, m, by_text, theta, theta_text
                )
                n = _still_in(acc, held, n, lo, q, ub, t_off, theta, theta_text, mask, pairing)
    theta, theta_text = _thresholds(acc, held, n, lo, q, k, floor, mask, pairing, heap, m, by_text, theta, theta_text)
    n = _still_in(acc, held, n, lo, q, ub, t_off, theta, theta_text, mask, pairing)
    _rescore(acc, held, n, lo, q_idx, q_val, segments, rows, by_rows, starts, ends)
    size, size_by_text = _best(acc, held, n, lo, q, k, floor, mask, pairing, heap, m, by_text, -np.inf, -np.inf)
    for y in range(n):
        acc[held[y]] = 0
    return size, size_by_text, read


@njit(cache=True, nogil=True)
def _heap(k, groups):  # type: ignore[no-untyped-def]
    """Scores, text scores, documents; the documents' groups and each group's slot (see :func:`_push`)."""
    n_groups = groups.max() + 1 if groups.shape[0] else 0
    slot_of = np.full(n_groups, -1, dtype=np.int64)
    return np.empty(k, dtype=np.float32), np.empty(k, dtype=np.float32), np.empty(k, dtype=np.int64), groups, slot_of


@njit(cache=True, nogil=True)
def _most(m_of):  # type: ignore[no-untyped-def]
    return m_of.max() if m_of.shape[0] else 0


@njit(cache=True, nogil=True)
def _rank_jobs(w, workers, parts, width, queries, segs, maxima, blocks, rows, n_docs, wanted, out):  # type: ignore[no-untyped-def]
    """Worker w's share: jobs w, w + workers, ... of (query, part of the documents); query q keeps
    its best ``m_of[q]`` by text too (those regardless of ``groups``)."""
    q_indptr, q_indices, q_data = queries
    k, m_of, floor, mask, pairing, groups = wanted
    found, f_s, f_t, c_found, c_t, read = out
    acc, held = np.zeros(width, dtype=np.float32), np.empty(width, dtype=np.int64)
    heap, by_text = _heap(k, groups), _heap(_most(m_of), groups[:0])
    for job in range(w, (q_indptr.shape[0] - 1) * parts, workers):
        q, part = job // parts, job % parts
        lo, hi = part * width, min(n_docs, (part + 1) * width)
        if lo >= hi:
            continue
        q_idx = q_indices[q_indptr[q] : q_indptr[q + 1]]
        q_val = q_data[q_indptr[q] : q_indptr[q + 1]]
        size, size_by_text, read[q, part] = _rank_range(
            q_idx,
            q_val,
            segs,
            maxima,
            blocks,
            rows,
            n_docs,
            lo,
            hi,
            q,
            k,
            floor,
            mask,
            pairing,
            acc,
            held,
            heap,
            m_of[q],
            by_text,
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
        np.zeros((n_queries, parts), dtype=np.int64),
    )


@njit(cache=True, nogil=True)
def _merged_results(out, k, m, groups):  # type: ignore[no-untyped-def]
    found, f_s, f_t, c_found, c_t, read = out
    positions, finals, texts = _merge(found, f_s, f_t, k, groups)
    candidates, _, candidate_texts = _merge(c_found, c_t, c_t, m, groups[:0])
    return positions, finals, texts, candidates, candidate_texts, read.sum(axis=1)


@njit(cache=True, nogil=True)
def _rank_serial(
    q_indptr, q_indices, q_data, segs, maxima, blocks, rows, n_docs, k, m_of, floor, mask, pairing, groups
):  # type: ignore[no-untyped-def]
    out = _results(q_indptr.shape[0] - 1, 1, k, _most(m_of))
    queries, wanted = (q_indptr, q_indices, q_data), (k, m_of, floor, mask, pairing, groups)
    _rank_jobs(0, 1, 1, n_docs, queries, segs, maxima, blocks, rows, n_docs, wanted, out)
    return _merged_results(out, k, _most(m_of), groups)


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
    b_max,
    t_max,
    b_rows,
    b_table,
    r_ip,
    r_ix,
    r_d,
    n_docs,
    k,
    m_of,
    floor,
    mask,
    pr,
    ma,
    mo,
    query,
    points,
    demand,
    groups,
    threads,
):  # type: ignore[no-untyped-def]
    """Queries spread over the threads; fewer queries than threads: each query's documents are split."""
    n_queries = q_indptr.shape[0] - 1
    parts = threads if n_queries < threads else 1
    width = (n_docs + parts - 1) // parts
    workers = min(threads, n_queries * parts)
    out = _results(n_queries, parts, k, _most(m_of))
    for w in prange(workers):
        segs = (((b_ip, b_ix, b_d), 0), ((t_ip, t_ix, t_d), t_off))
        pairing = (pr, ma, mo, query, points, demand)
        wanted = (k, m_of, floor, mask, pairing, groups)
        maxima, blocks = (b_max, t_max), (b_rows, b_table)
        rows = (r_ip, r_ix, r_d)
        _rank_jobs(
            w, workers, parts, width, (q_indptr, q_indices, q_data), segs, maxima, blocks, rows, n_docs, wanted, out
        )
    return _merged_results(out, k, _most(m_of), groups)


PARALLEL_WORK = 2_000_000
"""Documents x queries below which one thread answers: waking the others costs more than they save."""


@njit(cache=True)
def _merge(found, f_s, f_t, k, groups):  # type: ignore[no-untyped-def]
    """Each query's parts merged, best first: insertion by (score desc, position asc); with
    ``groups``, one document per near-duplicate group (the best), as each part's heap kept."""
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
                if groups.shape[0] and groups[d] >= 0:
                    left = _drop_group_if_worse(positions[q], finals[q], texts[q], kept, groups, score, d)
                    if left < 0:
                        continue
                    kept = left
                if kept == k and not _worse(finals[q, k - 1], positions[q, k - 1], score, d):
                    continue
                i = k - 1 if kept == k else kept
                while i > 0 and _worse(finals[q, i - 1], positions[q, i - 1], score, d):
                    positions[q, i], finals[q, i], texts[q, i] = positions[q, i - 1], finals[q, i - 1], texts[q, i - 1]
                    i -= 1
                positions[q, i], finals[q, i], texts[q, i] = d, score, text
                kept = min(k, kept + 1)
    return positions, finals, texts


@njit(cache=True)
def _drop_group_if_worse(positions, finals, texts, kept, groups, score, d):  # type: ignore[no-untyped-def]
    """Before d joins a merged list: -1 if its group is there with a better document; else the
    list without its group's (worse) document, and its new length."""
    for i in range(kept):
        if groups[positions[i]] == groups[d]:
            if not _worse(finals[i], positions[i], score, d):
                return -1
            for j in range(i, kept - 1):
                positions[j], finals[j], texts[j] = positions[j + 1], finals[j + 1], texts[j + 1]
            positions[kept - 1] = -1
            return kept - 1
    return kept


class Ranking(NamedTuple):
    """Best k per query (positions, final scores, text scores; -1 where fewer) and, when asked for,
    the best m by text score alone, unfiltered (``candidates``, ``candidate_texts``); ``read``
    counts the postings each query's pass read (pruning leaves the rest unread)."""

    positions: np.ndarray
    scores: np.ndarray
    texts: np.ndarray
    candidates: np.ndarray
    candidate_texts: np.ndarray
    read: np.ndarray


@njit(cache=True, parallel=True)
def column_maxima(cols, width):  # type: ignore[no-untyped-def]
    """Each term's largest document weight in a segment (0 for a term it does not hold): the bounds pruning needs."""
    indptr, _, data = cols
    out = np.zeros(width, dtype=np.float32)
    for t in prange(min(width, indptr.shape[0] - 1)):
        for j in range(indptr[t], indptr[t + 1]):
            out[t] = max(out[t], data[j])
    return out


@njit(cache=True, parallel=True)
def block_maxima(cols, width, n_docs):  # type: ignore[no-untyped-def]
    """Row per long column (-1: short) and, per row, the column's largest weight in each block of
    2**BLOCK_SHIFT documents of a segment holding ``n_docs``: bounds tighter than a column's maximum
    where a term is light or absent in most blocks."""
    indptr, indices, data = cols
    n_blocks = (n_docs >> BLOCK_SHIFT) + 1
    rows = np.full(width, -1, dtype=np.int32)
    n_long = 0
    for t in range(min(width, indptr.shape[0] - 1)):
        if indptr[t + 1] - indptr[t] >= LONG_COLUMN * n_blocks:
            rows[t] = n_long
            n_long += 1
    table = np.zeros((n_long, n_blocks), dtype=np.float32)
    for t in prange(min(width, indptr.shape[0] - 1)):
        if rows[t] >= 0:
            for j in range(indptr[t], indptr[t + 1]):
                b = indices[j] >> BLOCK_SHIFT
                table[rows[t], b] = max(table[rows[t], b], data[j])
    return rows, table


def rank_queries(queries, segments, maxima, n_docs, k, floor, mask, pairing, m=0, groups=None, blocks=None, rows=None):  # type: ignore[no-untyped-def]
    """Best k documents of every query, and its best m by text alone, in one pruned pass over its columns.

    ``maxima`` are the segments' :func:`column_maxima`, ``blocks`` the base segment's
    :func:`block_maxima` and ``rows`` its :func:`rows_of` (both computed here when not given); ``m`` is one count for every query or one per
    query; ``groups`` (document -> near-duplicate group, -1: none) keeps one of each group in the
    best k: the best, so the best k groups come out of one pass however many copies they have.
    """
    groups = np.zeros(0, dtype=np.int32) if groups is None else groups
    (base, _), (tail, t_off) = segments
    if blocks is None:
        blocks = serialized(block_maxima)(tuple(base), maxima[0].shape[0], t_off)
    if rows is None:
        rows = rows_of(base, t_off)
    m = np.broadcast_to(np.asarray(m, dtype=np.int64), (queries.shape[0],)).copy()
    q = (queries.indptr, queries.indices, queries.data)
    threads = numba.get_num_threads()
    if threads == 1 or n_docs * queries.shape[0] < PARALLEL_WORK:
        segs = ((tuple(base), 0), (tuple(tail), t_off))
        return Ranking(
            *_rank_serial(
                *q, segs, tuple(maxima), tuple(blocks), tuple(rows), n_docs, k, m, floor, mask, tuple(pairing), groups
            )
        )
    return Ranking(
        *serialized(_rank_parallel)(
            *q, *base, *tail, t_off, *maxima, *blocks, *rows, n_docs, k, m, floor, mask, *pairing, groups, threads
        )
    )


def rows_of(columns: Columns, n_docs: int) -> Rows:
    """The segment's ``n_docs`` documents as rows (each row's terms ascending), read-only: the same
    postings in the other layout, written in one pass by :func:`csr_into_columns` (CSC and CSR are
    each other's transpose)."""
    indices, data = np.empty(columns.indices.shape[0], np.int32), np.empty(columns.data.shape[0], np.float32)
    indptr = csr_into_columns(columns.indptr, columns.indices, columns.data, n_docs, indices, data, 0)
    rows = Rows(indptr, indices, data)
    for array in rows:
        array.setflags(write=False)
    return rows


@njit(cache=True, parallel=True)
def _dense(q_indptr, q_indices, q_data, b_ip, b_ix, b_d, t_ip, t_ix, t_d, t_off, n_docs):  # type: ignore[no-untyped-def]
    out = np.zeros((q_indptr.shape[0] - 1, n_docs), dtype=np.float32)
    for q in prange(q_indptr.shape[0] - 1):
        q_idx = q_indices[q_indptr[q] : q_indptr[q + 1]]
        q_val = q_data[q_indptr[q] : q_indptr[q + 1]]
        _accumulate(q_idx, q_val, (b_ip, b_ix, b_d), 0, out[q])
        _accumulate(q_idx, q_val, (t_ip, t_ix, t_d), t_off, out[q])
    return out


def dense_scores(queries, segments, n_docs):  # type: ignore[no-untyped-def]
    """Text scores of every query against every document (for small inputs and tests)."""
    (base, _), (tail, t_off) = segments
    return serialized(_dense)(queries.indptr, queries.indices, queries.data, *base, *tail, t_off, n_docs)


@njit(cache=True, nogil=True)
def _weights_in(q_idx, indptr, indices, data, local, rows, out):  # type: ignore[no-untyped-def]
    """out[rows[x], t] = weight of row local[x] (ascending) in column q_idx[t]; searched as :func:`_rescore_in` does."""
    for t in range(q_idx.shape[0]):
        p, end = indptr[q_idx[t]], indptr[q_idx[t] + 1]
        for x in range(local.shape[0]):
            p = _gallop(indices, p, end, local[x])
            if p == end:
                break
            if indices[p] == local[x]:
                out[rows[x], t] = data[p]


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
def _row_weights(q_idx, indices, data, start, end, out):  # type: ignore[no-untyped-def]
    """out[t] = the row's weight in column q_idx[t] (ascending), the two met in one pass as :func:`_row_score` meets them."""
    j = start
    for t in range(q_idx.shape[0]):
        while j < end and indices[j] < q_idx[t]:
            j += 1
        if j == end:
            return
        if indices[j] == q_idx[t]:
            out[t] = data[j]


@njit(cache=True)
def _weights_many(q_idx, base, tail, t_off, rows, positions, out):  # type: ignore[no-untyped-def]
    order = np.argsort(positions, kind="mergesort")
    ordered = positions[order]
    split = np.searchsorted(ordered, t_off)
    if _ascending(q_idx):
        r_indptr, r_indices, r_data = rows
        for x in range(split):
            d = ordered[x]
            _row_weights(q_idx, r_indices, r_data, r_indptr[d], r_indptr[d + 1], out[order[x]])
    else:
        _weights_in(q_idx, base[0], base[1], base[2], ordered[:split], order[:split], out)
    _weights_in(q_idx, tail[0], tail[1], tail[2], ordered[split:] - t_off, order[split:], out)


def weights_of(q_idx: np.ndarray, segments: tuple, positions: np.ndarray, rows: Rows | None = None) -> np.ndarray:
    """The document weights of the query's terms in each of ``positions`` (0 where absent), shape
    ``(len(positions), len(q_idx))``: read from the base's ``rows`` (:func:`rows_of`, computed when
    not given), and by a search (:func:`_gallop`) per term and document in the tail's columns."""
    out = np.zeros((positions.shape[0], q_idx.shape[0]), dtype=np.float32)
    (base, _), (tail, t_off) = segments
    rows = rows_of(base, t_off) if rows is None else rows
    _weights_many(q_idx, tuple(base), tuple(tail), t_off, tuple(rows), positions.astype(np.int64), out)
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
