"""The compiled kernels against the plain sparse product and numpy ranking they replace."""

import numpy as np
import pytest
import scipy.sparse as sp

from matcher import Boosts, Demand, Filters, Maturity
from matcher import postings as postings_module
from matcher.filters import Attributes
from matcher.index import _columns
from matcher.postings import (
    NO_PAIRING,
    Pairing,
    _gallop,
    _heap,
    _thresholds,
    block_maxima,
    column_maxima,
    csr_into_columns,
    dense_scores,
    keep_rows,
    rank_queries,
    rows_of,
    weights_of,
)
from matcher.rank import top_k
from tests.conftest import ACHIEVEMENTS

N_DOCS, N_TERMS = 6, 40


def _random(rows: int, seed: int, density: float = 0.3) -> sp.csr_matrix:
    matrix = sp.random(rows, N_TERMS, density=density, format="csr", dtype=np.float32, random_state=seed)
    matrix.sort_indices()
    return matrix


def _segments(docs: sp.csr_matrix, split: int) -> tuple:
    """Rows [0, split) as the base, the rest as the tail, as the index keeps them after extended()."""
    return (_columns(docs[:split].tocsc()), 0), (_columns(docs[split:].tocsc()), split)


def _rank(queries: sp.csr_matrix, docs: sp.csr_matrix, split: int, *args: object):  # type: ignore[no-untyped-def]
    """rank_queries over ``docs`` split in two segments at ``split``, with their pruning bounds."""
    segments = _segments(docs, split)
    maxima = tuple(column_maxima(columns, docs.shape[1]) for columns, _ in segments)
    return rank_queries(queries, segments, maxima, docs.shape[0], *args)


@pytest.fixture(params=["serial", "parallel"])
def kernel(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run each test through the one-thread kernel and through the threaded one."""
    monkeypatch.setattr(postings_module, "PARALLEL_WORK", 10**12 if request.param == "serial" else 0)
    return str(request.param)


@pytest.mark.parametrize("split", [N_DOCS, 4, 0])
def test_scores_are_the_plain_sparse_product_bit_for_bit(split: int) -> None:
    docs, queries = _random(N_DOCS, 1), _random(5, 2)
    expected = (queries @ docs.T).toarray()
    np.testing.assert_array_equal(dense_scores(queries, _segments(docs, split), N_DOCS), expected)


@pytest.mark.parametrize("n_queries", [1, 7])
@pytest.mark.parametrize("split", [N_DOCS, 3])
def test_ranking_equals_top_k_of_the_product(kernel: str, n_queries: int, split: int) -> None:
    docs, queries = _random(N_DOCS, 3, density=0.5), _random(n_queries, 4, density=0.5)
    positions, scores, texts, *_ = _rank(queries, docs, split, 4, np.float32(0.0), np.zeros(0, bool), NO_PAIRING)
    for row, dense in enumerate((queries @ docs.T).toarray()):
        expected = top_k(dense, 4)
        assert positions[row][: len(expected)].tolist() == expected.tolist()
        assert (positions[row][len(expected) :] == -1).all()
        np.testing.assert_array_equal(scores[row][: len(expected)], dense[expected])
        np.testing.assert_array_equal(texts[row][: len(expected)], dense[expected])


def test_ties_rank_the_lower_position_first(kernel: str) -> None:
    docs = sp.csr_matrix(np.ones((N_DOCS, N_TERMS), dtype=np.float32))
    query = sp.csr_matrix(np.ones((1, N_TERMS), dtype=np.float32))
    positions, *_ = _rank(query, docs, 2, 3, np.float32(0.0), np.zeros(0, bool), NO_PAIRING)
    assert positions[0].tolist() == [0, 1, 2]


def test_filters_boosts_and_floor_match_the_numpy_reference(kernel: str) -> None:
    """The fused kernel equals: text + named boosts, masked, above the floor, best first."""
    docs = _random(len(ACHIEVEMENTS), 5, density=0.6)
    queries = [
        Demand(id="q1", description="x", region="湖北省武汉市", maturity="小试", cooperation_modes=["技术许可"]),
        Demand(id="q2", description="x", region="火星"),
        Demand(id="q3", description="x"),
    ]
    vectors = _random(len(queries), 6, density=0.6)
    attributes, boosts = Attributes(ACHIEVEMENTS), Boosts()
    mask = attributes.mask(Filters(min_maturity=Maturity.LAB))
    assert mask is not None
    floor = np.float32(0.01)
    pairing = attributes.pairing(queries, boosts, query_is_demand=True)
    n = len(ACHIEVEMENTS)
    ranking = _rank(vectors, docs, n, 3, floor, mask, pairing, 4)
    positions, scores, texts = ranking.positions, ranking.scores, ranking.texts
    for row, text in enumerate((vectors @ docs.T).toarray()):
        by_text = top_k(text, 4)  # the same pass: best by text alone, unfiltered, no boosts
        assert ranking.candidates[row][: len(by_text)].tolist() == by_text.tolist()
        np.testing.assert_array_equal(ranking.candidate_texts[row][: len(by_text)], text[by_text])
        parts = attributes.boosts(queries[row], boosts, query_is_demand=True)
        final = text + sum(parts.values()) if parts else text.copy()
        final[(text <= 0) | ~mask] = -1.0
        expected = top_k(final, 3, floor=float(floor))
        assert positions[row][: len(expected)].tolist() == expected.tolist()
        np.testing.assert_array_equal(scores[row][: len(expected)], final[expected])
        np.testing.assert_array_equal(texts[row][: len(expected)], text[expected])


def _skewed(n_docs: int, seed: int) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Documents with a few common, light terms (as single characters are) and many rare, heavy
    ones, and queries mixing both: the shape where pruning skips most postings."""
    rng = np.random.default_rng(seed)
    common, rare = 12, 400
    light = sp.random(n_docs, common, density=0.5, format="csr", dtype=np.float32, random_state=rng) * 0.02
    heavy = sp.random(n_docs, rare, density=0.002, format="csr", dtype=np.float32, random_state=rng)
    heavy.data = 0.2 + 0.8 * heavy.data
    docs = sp.hstack([light, heavy], format="csr", dtype=np.float32)
    rows = []
    for _ in range(6):
        row = np.zeros(common + rare, dtype=np.float32)
        row[:common] = rng.uniform(0.5, 1.0, common)
        row[common + rng.choice(rare, 3, replace=False)] = rng.uniform(0.5, 1.0, 3)
        rows.append(row)
    docs.sort_indices()
    return docs, sp.csr_matrix(np.array(rows))


def _reference_boosts(pairing: Pairing, q: int) -> np.ndarray:
    """The boosts of query q for every document, summed in float32 in the kernel's order."""
    province, maturity, modes = pairing.query[q]
    total = np.zeros(pairing.rows_province.shape[0], dtype=np.float32)
    total += np.where(pairing.rows_province == province, pairing.points[0], 0).astype(np.float32)
    total += np.where(pairing.rows_maturity >= maturity, pairing.points[1], 0).astype(np.float32)
    total += np.where((pairing.rows_modes & modes) != 0, pairing.points[2], 0).astype(np.float32)
    return total


@pytest.mark.parametrize("split", [20_000, 11_000])
def test_pruned_pass_is_exact_and_reads_fewer_postings(kernel: str, split: int) -> None:
    """MaxScore pruning skips the light terms' postings yet ranks exactly as the full product."""
    n = 20_000
    docs, queries = _skewed(n, 11)
    rng = np.random.default_rng(12)
    pairing = Pairing(
        rng.integers(0, 5, n).astype(np.int32),
        rng.integers(0, 4, n).astype(np.int8),
        rng.integers(0, 16, n).astype(np.int16),
        np.column_stack([rng.integers(0, 5, 6), rng.integers(0, 4, 6), rng.integers(1, 16, 6)]).astype(np.int32),
        np.array([0.05, 0.03, 0.02], dtype=np.float32),
        True,
    )
    mask, floor = rng.random(n) < 0.7, np.float32(0.1)
    by_text_wanted = np.array([20, 0, 20, 0, 20, 7])  # one count per query: only short queries want these
    ranking = _rank(queries, docs, split, 5, floor, mask, pairing, by_text_wanted)
    for row, text in enumerate((queries @ docs.T).toarray()):
        by_text = top_k(text, int(by_text_wanted[row]))
        assert ranking.candidates[row][: len(by_text)].tolist() == by_text.tolist()
        assert (ranking.candidates[row][len(by_text) :] == -1).all()
        np.testing.assert_array_equal(ranking.candidate_texts[row][: len(by_text)], text[by_text])
        final = text + _reference_boosts(pairing, row)
        final[(text <= 0) | ~mask] = -1.0
        expected = top_k(final, 5, floor=float(floor))
        assert ranking.positions[row].tolist() == expected.tolist()
        np.testing.assert_array_equal(ranking.scores[row], final[expected])
        np.testing.assert_array_equal(ranking.texts[row], text[expected])
    every = np.diff(docs.tocsc().indptr)
    assert all(ranking.read[row] < every[queries[row].indices].sum() // 4 for row in range(queries.shape[0]))


@pytest.mark.parametrize(("k", "m"), [(5, 20), (5, 0), (0, 20)])
def test_a_check_skipping_what_the_last_one_ranked_below_gives_the_thresholds_from_scratch(k: int, m: int) -> None:
    """Scores only grow between two checks: the documents under the last thresholds are not offered
    to the heaps again, and the thresholds (k-th best group by final score, m-th best text) are those
    of offering every document; boosts, a mask, a floor and near-duplicate groups included."""
    n = 5_000
    rng = np.random.default_rng(21)
    pairing = Pairing(
        rng.integers(0, 5, n).astype(np.int32),
        rng.integers(0, 4, n).astype(np.int8),
        rng.integers(0, 16, n).astype(np.int16),
        np.array([[2, 1, 5]], dtype=np.int32),
        np.array([0.05, 0.03, 0.02], dtype=np.float32),
        True,
    )
    mask, floor = rng.random(n) < 0.7, np.float32(0.05)
    groups = np.where(rng.random(n) < 0.5, rng.integers(0, 300, n), -1).astype(np.int32)
    held = rng.permutation(n).astype(np.int64)
    before = (rng.random(n) * (rng.random(n) < 0.9)).astype(np.float32)
    after = before + (rng.random(n) * 0.01 * (before > 0)).astype(np.float32)  # a little: the thresholds barely move

    def check(acc: np.ndarray, last: tuple[float, float]) -> tuple[float, float]:
        heap, by_text = _heap(k, groups), _heap(m, groups[:0])
        return _thresholds(acc, held, n, 0, 0, k, floor, mask, pairing, heap, m, by_text, *last)  # type: ignore[no-any-return]

    last = check(before, (-np.inf, -np.inf))
    from_scratch = check(after, (-np.inf, -np.inf))
    assert check(after, last) == from_scratch
    assert check(before, last) == last  # nothing grew: the documents at the thresholds are offered
    below = [after < last[1]] if m else []
    below += [after + pairing.points.sum() < last[0]] if k else []  # even with every boost
    assert np.logical_and.reduce(below).mean() > 0.5  # most documents were skipped
    assert all(np.isfinite(t) == (w > 0) for t, w in zip(from_scratch, (k, m), strict=True))


@pytest.mark.parametrize("split", [20_000, 11_000])
def test_pruned_pass_is_exact_when_its_first_terms_touch_most_documents(kernel: str, split: int) -> None:
    """Queries of common light terms alone: past the threshold sample the first phase stops noting
    the documents it sees and finds them by one scan after it; every one of them still counts."""
    n = 20_000
    docs, _ = _skewed(n, 17)
    rng = np.random.default_rng(18)
    queries = sp.csr_matrix(np.hstack([rng.uniform(0.5, 1.0, (4, 12)), np.zeros((4, 400))]).astype(np.float32))
    groups = np.full(n, -1, dtype=np.int32)
    ranking = _rank(queries, docs, split, 10, np.float32(0.0), np.zeros(0, bool), NO_PAIRING, 30, groups)
    for row, text in enumerate((queries @ docs.T).toarray()):
        assert ranking.positions[row].tolist() == top_k(text, 10).tolist()
        np.testing.assert_array_equal(ranking.scores[row], text[top_k(text, 10)])
        assert ranking.candidates[row].tolist() == top_k(text, 30).tolist()


def test_block_maxima_hold_each_long_column_s_largest_weight_per_block() -> None:
    """Long columns (the common terms) get a row of per-block maxima; short ones (rare terms) none."""
    n = 20_000
    docs, _ = _skewed(n, 11)
    columns = docs.tocsc()
    rows, table = block_maxima(_columns(columns), docs.shape[1], n)
    blocks = (n >> postings_module.BLOCK_SHIFT) + 1
    lengths = np.diff(columns.indptr)
    assert ((rows >= 0) == (lengths >= postings_module.LONG_COLUMN * blocks)).all()
    assert 0 < (rows >= 0).sum() < len(rows)
    for term in np.flatnonzero(rows >= 0):
        column = columns[:, term].tocoo()
        expected = np.zeros(blocks, dtype=np.float32)
        np.maximum.at(expected, column.row >> postings_module.BLOCK_SHIFT, column.data)
        np.testing.assert_array_equal(table[rows[term]], expected)


def _first_of_each_group(order: np.ndarray, groups: np.ndarray, k: int) -> list[int]:
    """The reference: walk a full ranking best first and keep a group's first document only."""
    kept, seen = [], set()
    for d in order.tolist():
        if groups[d] < 0 or groups[d] not in seen:
            kept.append(d)
            seen.add(int(groups[d]))
        if len(kept) == k:
            break
    return kept


@pytest.mark.parametrize("n_queries", [1, 6])
@pytest.mark.parametrize("split", [20_000, 11_000])
def test_groups_keep_the_best_document_of_each_near_duplicate_group(kernel: str, n_queries: int, split: int) -> None:
    """One pruned pass gives the best k groups: what collapsing a ranking of every document gives.

    Groups of up to 300 copies (more than k of them may outscore every other document), singletons
    left ungrouped; one query alone is split between the threads, whose lists then merge by group.
    """
    n, k = 20_000, 5
    docs, queries = _skewed(n, 13)
    queries = queries[:n_queries]
    rng = np.random.default_rng(14)
    groups = np.full(n, -1, dtype=np.int32)
    grouped = rng.permutation(n)[: n // 2]
    groups[grouped] = rng.integers(0, 60, len(grouped))  # about 170 copies a group, spread over the rows
    for row in range(n_queries):  # the query's best documents: copies of one group, so collapsing matters
        best = np.argsort(-(queries[row] @ docs.T).toarray()[0], kind="stable")[:12]
        groups[best] = 7
    ranking = _rank(queries, docs, split, k, np.float32(0.0), np.zeros(0, bool), NO_PAIRING, 0, groups)
    for row, text in enumerate((queries @ docs.T).toarray()):
        order = top_k(text, n)
        expected = _first_of_each_group(order, groups, k)
        assert ranking.positions[row].tolist() == expected
        np.testing.assert_array_equal(ranking.scores[row], text[expected])
        assert len({groups[d] for d in expected if groups[d] >= 0}) == sum(groups[d] >= 0 for d in expected)


def test_weights_of_reads_documents_from_either_segment() -> None:
    docs = _random(N_DOCS, 7, density=0.5)
    terms = np.arange(N_TERMS, dtype=np.int32)
    for position in range(N_DOCS):
        np.testing.assert_array_equal(
            weights_of(terms, _segments(docs, 3), np.array([position]))[0], docs[position].toarray()[0]
        )
    positions = np.array([5, 0, 3])
    np.testing.assert_array_equal(weights_of(terms, _segments(docs, 3), positions), docs[positions].toarray())


def test_weights_of_keeps_the_order_of_positions_given_in_any_order() -> None:
    """Documents are searched in ascending order; the rows come back in the caller's order, repeats included."""
    docs = _random(200, 9, density=0.4)
    terms = np.array([1, 4, 7, 8, 20, 39], dtype=np.int32)
    positions = np.array([150, 3, 199, 3, 0, 120, 77, 121])
    expected = docs[positions].toarray()[:, terms]
    np.testing.assert_array_equal(weights_of(terms, _segments(docs, 121), positions), expected)


@pytest.mark.parametrize("layout", ["even", "crowded", "full"])
def test_gallop_finds_the_first_document_at_or_after_the_one_sought_from_any_start(layout: str) -> None:
    """The interpolated guess may land either side of the answer, and far from it in a lopsided column:
    the answer is always the binary search's, for documents in the column, between them and beyond it."""
    rng = np.random.default_rng(3)
    universe = {"even": 100_000, "crowded": 100_000, "full": 50}[layout]
    column = np.sort(rng.choice(universe, size=min(universe, 3_000), replace=False)).astype(np.int32)
    if layout == "crowded":  # most documents crowded at the start, a few far out
        column = np.unique(np.concatenate([column[:2_900] // 50, column[2_900:]])).astype(np.int32)
    end = column.shape[0]
    for _ in range(2_000):
        p = int(rng.integers(0, end + 1))
        local = int(rng.integers(-5, universe + 5))
        expected = p + int(np.searchsorted(column[p:], local))
        assert _gallop(column, p, end, local) == expected


def test_keep_rows_drops_and_renumbers() -> None:
    docs = _random(N_DOCS, 8, density=0.5)
    keep = np.array([True, False, True, True, False, True])
    kept = keep_rows(_columns(docs.tocsc()), keep)
    rebuilt = sp.csc_matrix((kept[2], kept[1], kept[0]), shape=(int(keep.sum()), N_TERMS))
    np.testing.assert_array_equal(rebuilt.toarray(), docs[np.flatnonzero(keep)].toarray())


def test_csr_into_columns_writes_scipy_csc_at_an_offset() -> None:
    docs = _random(N_DOCS, 9, density=0.5)
    out_indices, out_data = np.full(docs.nnz + 3, -1, np.int32), np.zeros(docs.nnz + 3, np.float32)
    pointers = csr_into_columns(docs.indptr, docs.indices, docs.data, N_TERMS, out_indices, out_data, 3)
    expected = docs.tocsc()
    expected.sort_indices()
    np.testing.assert_array_equal(pointers, expected.indptr + 3)
    np.testing.assert_array_equal(out_indices[3:], expected.indices)
    np.testing.assert_array_equal(out_data[3:], expected.data)


def test_rows_of_is_the_csr_layout_of_the_columns() -> None:
    docs = _random(N_DOCS, 11, density=0.4)
    rows = rows_of(_columns(docs.tocsc()), N_DOCS)
    np.testing.assert_array_equal(rows.indptr, docs.indptr)
    np.testing.assert_array_equal(rows.indices, docs.indices)
    np.testing.assert_array_equal(rows.data, docs.data)


def test_weights_and_ranking_of_a_query_with_terms_out_of_column_order_are_still_exact(kernel: str) -> None:
    docs, query = _random(N_DOCS, 12, density=0.5), _random(1, 13, density=0.5)
    shuffled = query.copy()
    shuffled.indices, shuffled.data = shuffled.indices[::-1].copy(), shuffled.data[::-1].copy()
    shuffled.has_sorted_indices = False
    np.testing.assert_array_equal(
        weights_of(shuffled.indices, _segments(docs, 4), np.arange(N_DOCS)), docs[:, shuffled.indices].toarray()
    )
    positions, scores, *_ = _rank(shuffled, docs, 4, 3, np.float32(0.0), np.zeros(0, bool), NO_PAIRING)
    dense = (shuffled @ docs.T).toarray()[0]
    np.testing.assert_allclose(scores[0][scores[0] > 0], np.sort(dense[dense > 0])[::-1][:3], rtol=1e-6)
