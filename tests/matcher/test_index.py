from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity

from matcher import Achievement, ChineseTokenizer, IndexParams, NotFittedError, TfidfIndex
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
