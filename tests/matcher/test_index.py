from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity

from matcher import Achievement, ChineseTokenizer, IndexParams, MatcherError, NotFittedError, TfidfIndex
from tests.conftest import ACHIEVEMENTS

WORDS_ONLY = IndexParams(title_weight=0, keyword_weight=0, description_weight=1, char_weight=0)
QUERIES = [Achievement(id="q1", description="锂电池隔膜湿法工艺"), Achievement(id="q2", description="养殖尾水氮磷处理")]


def test_word_channel_equals_plain_scikit_learn_cosine(tokenizer: ChineseTokenizer) -> None:
    index = TfidfIndex(tokenizer=tokenizer, params=WORDS_ONLY).fit(ACHIEVEMENTS)
    reference = TfidfVectorizer(analyzer=tokenizer, sublinear_tf=True)
    docs = reference.fit_transform([a.description for a in ACHIEVEMENTS])
    expected = cosine_similarity(reference.transform([q.description for q in QUERIES]), docs)
    np.testing.assert_allclose(index.scores(index.transform(QUERIES)), expected, atol=1e-6)


def test_channels_mix_by_weight(tokenizer: ChineseTokenizer) -> None:
    only = {
        w: TfidfIndex(tokenizer=tokenizer, params=IndexParams(char_weight=w)).fit(ACHIEVEMENTS) for w in (0.0, 1.0, 0.3)
    }
    scores = {w: index.scores(index.transform(QUERIES)) for w, index in only.items()}
    np.testing.assert_allclose(scores[0.3], 0.7 * scores[0.0] + 0.3 * scores[1.0], atol=1e-6)


def test_title_and_keywords_weigh_more_than_description(tokenizer: ChineseTokenizer) -> None:
    docs = [
        Achievement(id="t", title="石墨烯导热膜", description="一种散热材料"),
        Achievement(id="d", title="散热材料", description="石墨烯导热膜"),
    ]
    index = TfidfIndex(tokenizer=tokenizer, params=IndexParams(char_weight=0)).fit(docs)
    scores = index.scores(index.transform([Achievement(id="q", description="石墨烯导热膜")]))[0]
    assert scores[0] > scores[1]


def test_contributions_sum_to_the_score(tokenizer: ChineseTokenizer) -> None:
    index = TfidfIndex(tokenizer=tokenizer).fit(ACHIEVEMENTS)
    vectors = index.transform(QUERIES)
    scores = index.scores(vectors)
    for q in range(len(QUERIES)):
        for d in range(len(ACHIEVEMENTS)):
            assert sum(w for _, w in index.contributions(vectors[q], d)) == pytest.approx(scores[q, d], abs=1e-5)


def test_query_returns_top_k_best_first(tokenizer: ChineseTokenizer) -> None:
    index = TfidfIndex(tokenizer=tokenizer).fit(ACHIEVEMENTS)
    hits = index.query(index.transform(QUERIES), k=2)
    assert [ACHIEVEMENTS[i].id for i in hits.indices[0]][0] == "a1"
    assert [ACHIEVEMENTS[i].id for i in hits.indices[1]][0] == "a4"
    assert all(np.all(np.diff(s) <= 0) for s in hits.scores)


def test_save_load_round_trip(tokenizer: ChineseTokenizer, tmp_path: Path) -> None:
    index = TfidfIndex(tokenizer=tokenizer).fit(ACHIEVEMENTS)
    index.save(tmp_path / "index")
    loaded = TfidfIndex.load(tmp_path / "index", tokenizer=tokenizer)
    assert loaded.params == index.params
    np.testing.assert_array_equal(loaded.scores(loaded.transform(QUERIES)), index.scores(index.transform(QUERIES)))
    assert not list((tmp_path / "index").glob("*.pkl"))


def test_unfitted_index_says_so(tokenizer: ChineseTokenizer) -> None:
    with pytest.raises(NotFittedError, match="not fitted"):
        TfidfIndex(tokenizer=tokenizer).transform(QUERIES)


@pytest.mark.parametrize(
    "bad", [{"char_weight": 1.5}, {"title_weight": -1}, {"char_ngram_min": 3, "char_ngram_max": 2}]
)
def test_bad_parameters_are_named(bad: dict) -> None:
    with pytest.raises(ValueError, match=next(iter(bad)).split("_")[0]):
        IndexParams(**bad)


def test_loaded_columns_are_memory_mapped_and_read_only(tokenizer: ChineseTokenizer, tmp_path: Path) -> None:
    """Several API workers that load one saved index share its pages instead of copying them."""
    index = TfidfIndex(tokenizer=tokenizer).fit(ACHIEVEMENTS)
    index.save(tmp_path / "index")
    mapped = TfidfIndex.load(tmp_path / "index", tokenizer=tokenizer)
    copied = TfidfIndex.load(tmp_path / "index", tokenizer=tokenizer, mmap=False)
    base = mapped.segments_[0][0]
    assert all(isinstance(array, np.memmap) and not array.flags.writeable for array in base)
    assert not isinstance(copied.segments_[0][0].data, np.memmap)
    vectors = index.transform(QUERIES)
    np.testing.assert_array_equal(mapped.scores(vectors), copied.scores(vectors))
    assert mapped.contributions(vectors[0], 0) == index.contributions(vectors[0], 0)


def test_a_folder_saved_without_rows_gains_them_mapped_and_the_same(
    tokenizer: ChineseTokenizer, tmp_path: Path
) -> None:
    """Folders saved before the rows were kept: each loader computes them until ``save_rows`` writes them once."""
    index = TfidfIndex(tokenizer=tokenizer).fit(ACHIEVEMENTS)
    index.save(tmp_path / "index")
    for old in (tmp_path / "index").glob("rows_*.npy"):
        old.unlink()
    loaded = TfidfIndex.load(tmp_path / "index", tokenizer=tokenizer)
    assert loaded.save_rows(tmp_path / "index") is True
    assert loaded.save_rows(tmp_path / "index") is False  # already there
    assert not list((tmp_path / "index").glob("*.partial.npy"))
    again = TfidfIndex.load(tmp_path / "index", tokenizer=tokenizer)
    for rows in (loaded._rows, again._rows):
        assert all(isinstance(array, np.memmap) for array in rows)
        for mine, theirs in zip(rows, index._rows, strict=True):
            np.testing.assert_array_equal(mine, theirs)
    vectors = index.transform(QUERIES)
    assert [again.contributions(v, 0) for v in vectors] == [index.contributions(v, 0) for v in vectors]


def test_rows_are_not_written_into_another_index_folder(tokenizer: ChineseTokenizer, tmp_path: Path) -> None:
    TfidfIndex(tokenizer=tokenizer).fit(ACHIEVEMENTS).save(tmp_path / "index")
    for old in (tmp_path / "index").glob("rows_*.npy"):
        old.unlink()
    other = TfidfIndex(tokenizer=tokenizer).fit(ACHIEVEMENTS[:3])
    with pytest.raises(MatcherError, match="not the folder this index was loaded from"):
        other.save_rows(tmp_path / "index")
    assert not list((tmp_path / "index").glob("rows_*"))


def test_extended_appends_a_tail_and_shares_the_base(tokenizer: ChineseTokenizer, tmp_path: Path) -> None:
    base, added = ACHIEVEMENTS[:4], ACHIEVEMENTS[4:]
    index = TfidfIndex(tokenizer=tokenizer).fit(base)
    grown = index.extended(added[:1]).extended(added[1:])
    assert grown.segments_[0][0] is index.segments_[0][0]
    assert len(index) == 4 and len(grown) == len(ACHIEVEMENTS)
    vectors = index.transform(QUERIES)
    every_row = index.transform(ACHIEVEMENTS)
    np.testing.assert_array_equal(grown.scores(vectors), (vectors @ every_row.T).toarray())
    assert [c for c, _ in grown.contributions(vectors[0], 4)] == [
        c for c, _ in index.extended(ACHIEVEMENTS[4:5]).contributions(vectors[0], 4)
    ]
    grown.save(tmp_path / "grown")
    reloaded = TfidfIndex.load(tmp_path / "grown", tokenizer=tokenizer)
    np.testing.assert_array_equal(reloaded.scores(vectors), grown.scores(vectors))


def test_without_equals_the_rows_kept(tokenizer: ChineseTokenizer) -> None:
    index = TfidfIndex(tokenizer=tokenizer).fit(ACHIEVEMENTS[:4]).extended(ACHIEVEMENTS[4:])
    keep = np.array([True, False, True, True, False, True])
    vectors = index.transform(QUERIES)
    smaller = index.without(keep)
    assert len(smaller) == 4
    np.testing.assert_array_equal(smaller.scores(vectors), index.scores(vectors)[:, keep])


def test_fit_from_kept_counts_equals_fit_from_text(tokenizer: ChineseTokenizer) -> None:
    """Counts from count() stand in for tokenising: a rebuild that skips the slow part."""
    index = TfidfIndex(tokenizer=tokenizer)
    counts = index.count(ACHIEVEMENTS, processes=1)
    from_counts = TfidfIndex(tokenizer=tokenizer).fit(ACHIEVEMENTS, counts=counts)
    from_text = TfidfIndex(tokenizer=tokenizer).fit(ACHIEVEMENTS)
    vectors = from_text.transform(QUERIES)
    np.testing.assert_array_equal(from_counts.scores(vectors), from_text.scores(vectors))


def test_matrix_and_terms_for_analysis(tokenizer: ChineseTokenizer) -> None:
    index = TfidfIndex(tokenizer=tokenizer).fit(ACHIEVEMENTS[:4]).extended(ACHIEVEMENTS[4:])
    vectors = index.transform(QUERIES)
    np.testing.assert_allclose((vectors @ index.matrix_.T).toarray(), index.scores(vectors), atol=1e-6)
    assert len(index.terms_) == index.matrix_.shape[1]
    assert "锂电池隔膜" in set(index.terms_) and "#隔膜" in set(index.terms_)
