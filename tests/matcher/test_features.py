"""Fast counting gives scikit-learn's counts: same vocabulary order, same values, in or out of process."""

import numpy as np
import pytest
from sklearn.feature_extraction.text import CountVectorizer

from matcher import ChineseTokenizer
from matcher import features as features_module
from matcher.features import count_many, gram_keys, gram_text, keys_of, merge_grams, merge_words
from matcher.index import record_fields
from matcher.text import normalize
from matcher.tokenize import char_ngrams
from tests.conftest import ACHIEVEMENTS, DEMANDS

WEIGHTS = (2.0, 2.0, 1.0)
RECORDS = ACHIEVEMENTS + DEMANDS


def _reference(analyzer) -> tuple[list[str], np.ndarray]:  # type: ignore[no-untyped-def]
    """What the index computed before: CountVectorizer per field, weighted and summed."""
    fields = [record_fields(r) for r in RECORDS]
    counter = CountVectorizer(analyzer=analyzer, lowercase=False, dtype=np.float32)
    counter.fit(text for record in fields for text in record)
    total = sum(counter.transform([record[n] for record in fields]) * w for n, w in enumerate(WEIGHTS))
    return list(counter.get_feature_names_out()), total.toarray()  # type: ignore[union-attr]


def test_word_counts_equal_count_vectorizer(tokenizer: ChineseTokenizer) -> None:
    chunks = count_many([record_fields(r) for r in RECORDS], tokenizer, WEIGHTS, None, processes=1)
    words, counts = merge_words(chunks)
    expected_words, expected = _reference(tokenizer)
    assert words == expected_words
    np.testing.assert_array_equal(counts.toarray(), expected)


def test_gram_counts_equal_count_vectorizer_over_char_ngrams() -> None:
    chunks = count_many([record_fields(r) for r in RECORDS], None, WEIGHTS, (1, 2), processes=1)
    keys, counts = merge_grams(chunks)
    expected_grams, expected = _reference(lambda text: char_ngrams(text, (1, 2)))
    assert [gram_text(k) for k in keys] == expected_grams
    np.testing.assert_array_equal(counts.toarray(), expected)


def test_counting_in_worker_processes_equals_counting_here(
    tokenizer: ChineseTokenizer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(features_module, "PARALLEL_MIN", 2)
    fields = [record_fields(r) for r in RECORDS] * 700  # chunks of 2,000 records: several per worker
    here = count_many(fields, tokenizer, WEIGHTS, (1, 2), processes=1)
    there = count_many(fields, tokenizer, WEIGHTS, (1, 2), processes=2)
    assert len(there) > 2
    for merge in (merge_words, merge_grams):
        (vocab_here, counts_here), (vocab_there, counts_there) = merge(here), merge(there)
        assert list(vocab_here) == list(vocab_there)
        assert (counts_here != counts_there).nnz == 0


def test_gram_keys_sort_like_the_strings_and_decode_back() -> None:
    grams = ["锂", "锂电", "电池", "隔", "膜", "隔膜", "㐀", "龥一", "二三四"]
    keys = keys_of(grams)
    assert [gram_text(k) for k in keys] == grams
    assert [grams[i] for i in np.argsort(keys)] == sorted(grams)
    codes = np.frombuffer("锂电池".encode("utf-32-le"), dtype=np.uint32)
    assert [gram_text(k) for k in gram_keys(codes, 2)] == ["锂电", "电池"]


def test_tokens_of_normalized_text_equal_the_full_pipeline(tokenizer: ChineseTokenizer) -> None:
    for record in RECORDS:
        assert tokenizer.tokens_of_normalized(normalize(record.description)) == tokenizer(record.description)


def test_side_by_side_equals_scipy_hstack() -> None:
    import scipy.sparse as sp

    from matcher.features import side_by_side

    blocks = [sp.random(5, w, density=0.4, format="csr", dtype=np.float32, random_state=w) for w in (3, 7)]
    for block in blocks:
        block.sort_indices()
    joined = side_by_side(blocks, [3, 7])
    expected = sp.hstack(blocks, format="csr")
    expected.sort_indices()
    np.testing.assert_array_equal(joined.indptr, expected.indptr)
    np.testing.assert_array_equal(joined.indices, expected.indices)
    np.testing.assert_array_equal(joined.data, expected.data)
