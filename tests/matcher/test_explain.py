import pytest

from matcher import ChineseTokenizer
from matcher.explain import SINGLE_CHARACTERS, QueryWords, readable_terms

TOKENIZER = ChineseTokenizer()


def words(text: str, known: tuple[str, ...] = ()) -> QueryWords:
    return QueryWords(text, TOKENIZER, known)


def test_query_words_tell_a_word_from_a_fragment() -> None:
    query = words("废水深度处理的方法\n锂电池隔膜", known=("隔膜",))
    assert query.fragment("深度") is None  # a word of the query
    assert query.fragment("度处") == ["深度", "处理"]  # across 深度|处理
    assert query.fragment("深度处") == ["深度", "处理"]  # not 废水, which ends where it starts
    assert query.fragment("水深度") == ["废水", "深度"]  # not 处理, which starts where it ends
    assert query.fragment("理的") == ["处理"]  # 的 is a stop word, no word
    assert query.fragment("隔膜") is None  # a known word inside 锂电池隔膜
    assert query.fragment("池隔") == ["锂电池隔膜"]  # a piece of one word, no word itself
    assert query.fragment("水稻") is None  # not in the query: nothing to tell


def test_a_fragment_s_homes_are_the_pieces_of_the_words_it_touches_sharing_a_character() -> None:
    query = words("废水深度处理的方法\n锂电池隔膜", known=("隔膜",))
    assert query.homes("度处") == ("深度", "度", "处", "处理")  # not 深 nor 理: no character of 度处
    pieces = {"锂电池", "锂电池隔", "锂电池隔膜", "电池", "电池隔", "电池隔膜", "池", "池隔", "池隔膜", "隔", "隔膜"}
    assert set(query.homes("池隔")) == pieces  # a piece of one word: that word's pieces holding 池 or 隔
    assert query.homes("深度") == ()  # a word, no fragment


def test_a_pair_across_two_query_words_is_split_between_them() -> None:
    contributions = [("深度", 0.2), ("处理", 0.1), ("#度处", 0.06), ("#深度", 0.05), ("#度", 0.01)]
    terms = dict(readable_terms(contributions, words("废水深度处理")))
    assert set(terms) == {"深度", "处理"}
    assert terms["深度"] == pytest.approx(0.2 + 0.05 + 0.01 + 0.03)
    assert terms["处理"] == pytest.approx(0.1 + 0.03)


def test_a_fragment_touching_no_shown_word_goes_with_the_single_characters() -> None:
    contributions = [("隔膜", 0.3), ("#的温", 0.04), ("#温", 0.02)]  # 温度 itself is not shared
    terms = dict(readable_terms(contributions, words("隔膜的温度")))
    assert terms == pytest.approx({"隔膜": 0.3, SINGLE_CHARACTERS: 0.06})


def test_two_character_words_of_the_query_stay_as_themselves() -> None:
    contributions = [("#隔膜", 0.3), ("#池隔", 0.05), ("#电池", 0.1), ("#隔", 0.02)]
    terms = dict(readable_terms(contributions, words("锂电池隔膜", known=("隔膜", "电池"))))
    assert terms == pytest.approx({"隔膜": 0.325, "电池": 0.125, SINGLE_CHARACTERS: 0.02})
    alone = dict(readable_terms([("#隔膜", 0.3)], words("隔膜涂覆")))  # 隔膜 a word of the query, not shared
    assert alone == {"隔膜": 0.3}


def test_terms_add_up_exactly_to_the_contributions() -> None:
    contributions = [
        ("温度", 0.11),
        ("处理", 0.07),
        ("#度处", 0.013),
        ("#理温", 0.017),  # occurs twice across boundaries: touches 处理 and 温度
        ("#的方", 0.009),
        ("#温", 0.003),
        ("#x", 0.001),
    ]
    query = words("温度处理温度处理的方法")
    terms = readable_terms(contributions, query)
    assert sum(w for _, w in terms) == pytest.approx(sum(w for _, w in contributions), abs=1e-12)
    assert [t for t, _ in terms] == sorted(dict(terms), key=lambda t: -dict(terms)[t])
    assert set(dict(terms)) == {"温度", "处理", SINGLE_CHARACTERS}


def test_a_fragment_s_homes_are_every_piece_holding_one_of_its_characters_in_order() -> None:
    query = words("温度处理温度处理的方法")
    gram = "理温"
    around = query.fragment(gram)
    assert around == ["处理", "温度"]
    pieces = [w[s:e] for w in around for s in range(len(w)) for e in range(s + 1, len(w) + 1)]
    assert query.homes(gram) == tuple(dict.fromkeys(p for p in pieces if set(p) & set(gram)))
    assert query.homes("池电") == ()  # not in the text: nothing to share
