"""Field-weighted term counts for both index channels, fast and identical to scikit-learn's.

``CountVectorizer`` handles one Python string per token; here each distinct word is looked up
once per chunk and character n-grams never become strings: they are integer keys computed from
code points with NumPy. Columns follow sorted term order, as scikit-learn's do, so the counts
(and every score built on them) are the same. Large inputs are counted by worker processes
(fork), one chunk of records each, and merged by vocabulary.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .text import normalize
from .tokenize import ChineseTokenizer

Fields = tuple[str, str, str]
"""The matched texts of a record: title, keywords, description."""

CJK_FIRST, CJK_LAST = 0x3400, 0x9FFF
"""The code points char_ngrams treats as Chinese (CJK Extension A and Unified Ideographs)."""

MAX_GRAM = 4
_BITS = 16
PARALLEL_MIN = 20_000
"""Records below which counting stays in this process (forking costs more than it saves)."""


@dataclass
class ChunkCounts:
    """Counts of one chunk in its own vocabulary: words as strings, character n-grams as keys."""

    words: list[str]
    word_counts: sp.csr_matrix
    gram_keys: np.ndarray
    gram_counts: sp.csr_matrix


def gram_keys(codes: np.ndarray, n: int) -> np.ndarray:
    """Integer keys of the n-grams starting at each position: sortable like the strings they stand for.

    Each character takes 16 bits (its offset from ``CJK_FIRST`` plus one), left-aligned, so a
    shorter gram sorts before the longer ones it begins, as in string order.
    """
    keys = np.zeros(len(codes) - n + 1, dtype=np.uint64)
    for i in range(n):
        part = codes[i : len(codes) - n + 1 + i].astype(np.uint64) - np.uint64(CJK_FIRST - 1)
        keys |= part << np.uint64(_BITS * (MAX_GRAM - 1 - i))
    return keys


def gram_text(key: int) -> str:
    """The characters a key stands for (the inverse of :func:`gram_keys`)."""
    chars = []
    for i in range(MAX_GRAM):
        part = (int(key) >> (_BITS * (MAX_GRAM - 1 - i))) & 0xFFFF
        if part:
            chars.append(chr(part + CJK_FIRST - 1))
    return "".join(chars)


def keys_of(grams: Sequence[str]) -> np.ndarray:
    """Keys of n-grams given as strings (a saved vocabulary), as :func:`gram_keys` computes them."""
    shift = [_BITS * (MAX_GRAM - 1 - i) for i in range(MAX_GRAM)]
    return np.array(
        [sum((ord(c) - CJK_FIRST + 1) << shift[i] for i, c in enumerate(gram)) for gram in grams], dtype=np.uint64
    )


def _char_counts(
    texts: list[list[str]], weights: Sequence[float], grams: tuple[int, int]
) -> tuple[np.ndarray, sp.csr_matrix]:
    """Character n-grams of the Chinese runs of every field, weighted by field, per record."""
    rows, keys, values = [], [], []
    for field, weight in enumerate(weights):
        if weight == 0:
            continue
        column = [record[field] for record in texts]
        joined = "\n".join(column)  # a non-Chinese separator: no gram crosses two records
        codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
        owner = np.repeat(np.arange(len(column), dtype=np.int32), [len(t) + 1 for t in column])[: len(codes)]
        chinese = (codes >= CJK_FIRST) & (codes <= CJK_LAST)
        for n in range(grams[0], grams[1] + 1):
            if len(codes) < n:
                continue
            inside = chinese[: len(codes) - n + 1].copy()
            for i in range(1, n):
                inside &= chinese[i : len(codes) - n + 1 + i]
            starts = np.flatnonzero(inside)
            keys.append(gram_keys(codes, n)[starts])
            rows.append(owner[starts])
            values.append(np.full(len(starts), weight, dtype=np.float32))
    return _to_csr(len(texts), rows, keys, values)


def _to_csr(n_rows: int, rows: list, keys: list, values: list) -> tuple[np.ndarray, sp.csr_matrix]:
    """Sum duplicate (row, key) pairs into a CSR matrix whose columns are the sorted distinct keys."""
    if not keys:
        return np.zeros(0, dtype=np.uint64), sp.csr_matrix((n_rows, 0), dtype=np.float32)
    distinct, columns = np.unique(np.concatenate(keys), return_inverse=True)
    matrix = sp.csr_matrix(
        (np.concatenate(values), (np.concatenate(rows), columns.ravel())),
        shape=(n_rows, len(distinct)),
        dtype=np.float32,
    )
    matrix.sum_duplicates()
    return distinct, matrix


def _word_counts(
    texts: list[list[str]], tokenizer: ChineseTokenizer, weights: Sequence[float]
) -> tuple[list[str], sp.csr_matrix]:
    """Tokens of every field, each distinct token given a local id once, weighted by field."""
    local: dict[str, int] = {}
    rows, keys, values = [], [], []
    for field, weight in enumerate(weights):
        if weight == 0:
            continue
        ids: list[int] = []
        lengths = []
        for record in texts:
            tokens = tokenizer.tokens_of_normalized(record[field])
            ids.extend([local.setdefault(token, len(local)) for token in tokens])
            lengths.append(len(tokens))
        rows.append(np.repeat(np.arange(len(texts), dtype=np.int32), lengths))
        keys.append(np.array(ids, dtype=np.int64))
        values.append(np.full(len(ids), weight, dtype=np.float32))
    ids_in_order, matrix = _to_csr(len(texts), rows, keys, values)
    words = list(local)
    return [words[i] for i in ids_in_order], matrix


def count_chunk(
    fields: Sequence[Fields],
    tokenizer: ChineseTokenizer | None,
    weights: Sequence[float],
    grams: tuple[int, int] | None,
) -> ChunkCounts:
    """Both channels' counts for a few records, each text normalised once (``None``: channel not wanted)."""
    texts = [[normalize(text) for text in record] for record in fields]
    words, word_counts = _word_counts(texts, tokenizer, weights) if tokenizer else _to_csr(len(texts), [], [], [])
    keys, gram_counts = _char_counts(texts, weights, grams) if grams else _to_csr(len(texts), [], [], [])
    return ChunkCounts(list(words), word_counts, keys, gram_counts)


_JOB: tuple[Sequence[Fields], ChineseTokenizer | None, Sequence[float], tuple[int, int] | None] | None = None
"""What forked workers count: set before the pool starts, so records are inherited, not pickled."""


def _count_slice(bounds: tuple[int, int]) -> ChunkCounts:
    assert _JOB is not None
    fields, tokenizer, weights, grams = _JOB
    return count_chunk(fields[bounds[0] : bounds[1]], tokenizer, weights, grams)


def count_many(
    fields: Sequence[Fields],
    tokenizer: ChineseTokenizer | None,
    weights: Sequence[float],
    grams: tuple[int, int] | None,
    processes: int | None = None,
) -> list[ChunkCounts]:
    """Counts of all records in chunks, on every core when there are many records."""
    global _JOB
    processes = processes or os.cpu_count() or 1
    if processes == 1 or len(fields) < PARALLEL_MIN or "fork" not in multiprocessing.get_all_start_methods():
        return [count_chunk(fields, tokenizer, weights, grams)]
    size = max(2_000, min(50_000, len(fields) // (4 * processes) + 1))
    bounds = [(start, min(start + size, len(fields))) for start in range(0, len(fields), size)]
    _JOB = (fields, tokenizer, weights, grams)
    try:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            return pool.map(_count_slice, bounds, chunksize=1)
    finally:
        _JOB = None


def _stack(chunks: list[ChunkCounts], kind: str, remaps: list[np.ndarray], n_columns: int) -> sp.csr_matrix:
    """The chunks' counts of one channel renumbered into one vocabulary and stacked by rows.

    Each chunk's matrix is released once copied, so the counts are held about once, not twice.
    """
    blocks: list[sp.csr_matrix] = [getattr(c, kind) for c in chunks]
    nnz, n_rows = sum(b.nnz for b in blocks), sum(b.shape[0] for b in blocks)
    data, indices = np.empty(nnz, dtype=np.float32), np.empty(nnz, dtype=np.int32)
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    at = row = 0
    for chunk, block, remap in zip(chunks, blocks, remaps, strict=True):
        data[at : at + block.nnz] = block.data
        indices[at : at + block.nnz] = remap[block.indices]
        indptr[row + 1 : row + 1 + block.shape[0]] = block.indptr[1:] + at
        at, row = at + block.nnz, row + block.shape[0]
        setattr(chunk, kind, sp.csr_matrix(block.shape, dtype=np.float32))
    del blocks
    stacked = sp.csr_matrix((data, indices, indptr), shape=(n_rows, n_columns))
    stacked.sort_indices()
    return stacked


def merge_words(chunks: list[ChunkCounts]) -> tuple[list[str], sp.csr_matrix]:
    """One sorted word vocabulary over all chunks and the counts in it (the chunks' word counts are consumed)."""
    words = sorted(set().union(*(c.words for c in chunks)))
    column = {word: n for n, word in enumerate(words)}
    remaps = [np.array([column[w] for w in c.words], dtype=np.int64) for c in chunks]
    return words, _stack(chunks, "word_counts", remaps, len(words))


def merge_grams(chunks: list[ChunkCounts]) -> tuple[np.ndarray, sp.csr_matrix]:
    """One sorted n-gram vocabulary (keys) over all chunks and the counts in it (the chunks' gram counts are consumed)."""
    keys = np.unique(np.concatenate([c.gram_keys for c in chunks]))
    remaps = [np.searchsorted(keys, c.gram_keys) for c in chunks]
    return keys, _stack(chunks, "gram_counts", remaps, len(keys))


def restrict(counts: sp.csr_matrix, columns: np.ndarray, n_columns: int) -> sp.csr_matrix:
    """Counts renumbered into a fixed vocabulary (``columns[i] < 0``: term unknown there, dropped).

    Distinct local terms map to distinct columns, so no entries merge; rows come out sorted.
    """
    new = columns[counts.indices] if len(columns) else np.zeros(0, dtype=np.int64)
    known = new >= 0
    kept_before = np.concatenate([[0], np.cumsum(known)])
    matrix = sp.csr_matrix(
        (counts.data[known], new[known].astype(np.int32), kept_before[counts.indptr]),
        shape=(counts.shape[0], n_columns),
    )
    matrix.sort_indices()
    return matrix


def side_by_side(blocks: list[sp.csr_matrix], widths: list[int]) -> sp.csr_matrix:
    """Row-aligned CSR blocks joined column-wise (``sp.hstack`` without its generic machinery).

    Each block's columns are shifted past the previous blocks', so sorted rows stay sorted.
    """
    indptr = np.sum([b.indptr.astype(np.int64) for b in blocks], axis=0)
    n_rows = len(indptr) - 1
    data, indices = np.empty(indptr[-1], dtype=np.float32), np.empty(indptr[-1], dtype=np.int32)
    placed, offset = indptr[:-1].copy(), 0
    for block, width in zip(blocks, widths, strict=True):
        counts = np.diff(block.indptr)
        row = np.repeat(np.arange(n_rows), counts)
        target = placed[row] + np.arange(block.nnz) - block.indptr[:-1][row]
        data[target], indices[target] = block.data, block.indices + offset
        placed += counts
        offset += width
    joined = sp.csr_matrix((data, indices, indptr), shape=(n_rows, offset))
    joined.has_sorted_indices = True
    return joined
