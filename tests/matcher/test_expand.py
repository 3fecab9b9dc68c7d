import pytest

from matcher import Achievement, Demand, Matcher
from matcher.expand import Thesaurus, cilin_groups, default_thesaurus, domain_groups
from matcher.scoring import EXPANDED, QualityParams

POTATO = Achievement(id="potato", title="马铃薯晚疫病防控", description="马铃薯晚疫病的发生规律与化学防控。")
OTHERS = [
    Achievement(id="rice", title="水稻稻瘟病防控", description="水稻稻瘟病的抗病品种与药剂防治。"),
    Achievement(id="pepper", title="辣椒疫病防治", description="辣椒疫病的土壤处理与轮作。"),
]


def test_longest_match_only_and_no_self_expansion() -> None:
    thesaurus = Thesaurus([(["拉肚子", "腹泻"], 1.0), (["肚子", "腹部"], 0.5)])
    assert thesaurus.sources("小猪拉肚子") == ["拉肚子"]  # 肚子 lies inside the longer match
    assert thesaurus.expansions("小猪拉肚子") == {"腹泻": 1.0}
    assert thesaurus.expansions("腹泻和拉肚子") == {}


def test_latin_abbreviations_match_whole_terms_only() -> None:
    thesaurus = Thesaurus([(["COD", "化学需氧量"], 1.0)])
    assert thesaurus.expansions("废水COD超标") == {"化学需氧量": 1.0}
    assert thesaurus.expansions("codec芯片") == {}


def test_shipped_thesaurus_has_several_hundred_reviewed_groups() -> None:
    groups = domain_groups()
    assert len(groups) >= 500
    assert all(len(g) >= 2 for g in groups)
    assert ["土豆", "马铃薯", "洋芋", "山药蛋"] in groups


def test_cilin_keeps_only_small_synonym_groups() -> None:
    groups = cilin_groups(4)
    assert groups and all(len(g) <= 4 for g in groups)
    assert any({"荸荠", "马蹄"} <= set(g) for g in groups)
    thesaurus = default_thesaurus()
    assert thesaurus.synonyms["土豆"]["马铃薯"] == 1.0  # our reviewed entry wins over 词林's weight
    assert default_thesaurus(cilin_weight=0.0).synonyms.get("怎么") is None


def test_everyday_words_reach_the_scientific_record_and_say_so() -> None:
    query = Demand(id="q", description="土豆叶子发黑")
    matcher = Matcher().fit([POTATO, *OTHERS])
    best = matcher.match_demand(query)[0]
    assert best.record.id == "potato"
    terms = dict(best.explanation.terms)
    assert terms[EXPANDED + "马铃薯"] > 0
    assert sum(terms.values()) == pytest.approx(best.text_score, abs=1e-5)
    plain = Matcher(quality=QualityParams(expand=False, feedback=False)).fit([POTATO, *OTHERS])
    assert "potato" not in [m.record.id for m in plain.match_demand(query)[:1]]


def test_long_queries_are_not_expanded() -> None:
    matcher = Matcher().fit([POTATO, *OTHERS])
    long_query = Demand(id="q", description="我们合作社种了两百亩土豆，今年雨水多，叶子成片发黑，想找防治办法。")
    terms = [t for m in matcher.match_demand(long_query) for t, _ in m.explanation.terms]
    assert not any(t.startswith(EXPANDED) for t in terms)
