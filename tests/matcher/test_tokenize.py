import pickle

import pytest

from matcher import ChineseTokenizer
from matcher.tokenize import char_ngrams


@pytest.mark.parametrize("backend", ["rjieba", "jieba"])
def test_domain_terms_stay_whole(backend: str) -> None:
    tokens = ChineseTokenizer(backend=backend)("作价入股方式转让石墨烯和锂电池隔膜的中试技术")
    for term in ("作价入股", "石墨烯", "锂电池隔膜", "中试"):
        assert term in tokens


@pytest.mark.parametrize("backend", ["rjieba", "jieba"])
def test_mixed_latin_terms_kept_whole_and_numbers_dropped(backend: str) -> None:
    tokens = ChineseTokenizer(backend=backend)("RF-SOI芯片用于5G基站，12英寸晶圆，COD为30")
    assert {"rf-soi", "5g", "12英寸", "cod"} <= set(tokens)
    assert "30" not in tokens


def test_stop_words_and_boilerplate_removed(tokenizer: ChineseTokenizer) -> None:
    tokens = tokenizer("本发明涉及一种新型传感器，我公司需求")
    assert not {"本发明", "涉及", "一种", "我公司", "需求"} & set(tokens)
    assert "传感器" in tokens


def test_question_words_of_search_box_queries_removed(tokenizer: ChineseTokenizer) -> None:
    tokens = tokenizer("滤油机太吵怎么改？有没有哪里能做，如何降噪")
    assert not {"怎么", "有没有", "哪里", "如何"} & set(tokens)
    assert {"滤油机", "降噪"} <= set(tokens)


def test_private_dictionary_does_not_touch_global_jieba(tmp_path) -> None:
    import jieba

    user_dict = tmp_path / "dict.txt"
    user_dict.write_text("量子纠缠存储器 5000 n\n", encoding="utf-8")
    tokens = ChineseTokenizer(user_dict=user_dict, backend="jieba")("量子纠缠存储器")
    assert tokens == ["量子纠缠存储器"]
    assert "量子纠缠存储器" not in jieba.lcut("量子纠缠存储器")


def test_tokenizer_pickles_by_settings(tokenizer: ChineseTokenizer) -> None:
    copy = pickle.loads(pickle.dumps(tokenizer))
    assert copy("锂电池隔膜") == tokenizer("锂电池隔膜")


def test_unknown_backend_is_refused() -> None:
    with pytest.raises(ValueError, match="backend must be"):
        ChineseTokenizer(backend="nlpir")  # type: ignore[arg-type]


def test_char_ngrams_only_cover_chinese_runs() -> None:
    assert char_ngrams("RF芯片", (1, 2)) == ["芯", "片", "芯片"]
