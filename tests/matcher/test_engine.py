from pathlib import Path

import pytest

from matcher import Achievement, Boosts, Demand, Filters, Matcher, MatcherError, Maturity, NotFittedError
from matcher.explain import SINGLE_CHARACTERS
from matcher.scoring import QualityParams
from tests.conftest import ACHIEVEMENTS, DEMANDS


def ids(matches) -> list[str]:
    return [m.record.id for m in matches]


def test_demand_finds_its_achievement(matcher: Matcher) -> None:
    assert ids(matcher.match_demand(DEMANDS[0]))[0] == "a1"
    assert ids(matcher.match_demand(DEMANDS[1]))[0] == "a4"
    assert ids(matcher.match_demand(DEMANDS[2]))[0] == "a6"


def test_reverse_direction_finds_the_demand(matcher: Matcher) -> None:
    assert ids(matcher.match_achievement(ACHIEVEMENTS[5]))[0] == "d3"
    assert ids(matcher.match_text("锂电池隔膜", direction="demands"))[0] == "d1"


def test_batch_equals_single(matcher: Matcher) -> None:
    batch = matcher.match_demands(DEMANDS, k=4)
    for demand, matches in zip(DEMANDS, batch, strict=False):
        single = matcher.match_demand(demand, k=4)
        assert ids(single) == ids(matches)
        assert [m.score for m in single] == pytest.approx([m.score for m in matches])


def test_scores_are_text_plus_named_boosts_and_terms_add_up(matcher: Matcher) -> None:
    for demand in DEMANDS:
        for match in matcher.match_demand(demand, k=6):
            assert match.score == pytest.approx(match.text_score + sum(match.explanation.boosts.values()), abs=1e-6)
            assert sum(w for _, w in match.explanation.terms) == pytest.approx(match.text_score, abs=1e-5)


def test_explanation_terms_are_readable(matcher: Matcher) -> None:
    best = matcher.match_demand(DEMANDS[0])[0]
    terms = [t for t, _ in best.explanation.terms]
    assert "锂电池隔膜" in terms[:3]
    assert not any(t.startswith("#") for t in terms)
    assert all(len(t) > 1 or t == SINGLE_CHARACTERS for t in terms)


def test_no_explanation_term_is_a_pair_across_two_query_words() -> None:
    """Non-regression (follow-up of #2): 度处 of 温度|处理 was shown as a shared term."""
    heat = Achievement(id="heat", title="隔膜热处理", description="锂电池隔膜经高温度处理后收缩率降低。")
    rice = Achievement(id="rice", title="水稻品种", description="耐盐碱水稻品种选育。")
    query = Demand(id="q", description="我们想找隔膜的温度处理工艺，降低收缩率")
    best = Matcher().fit([heat, rice]).match_demand(query)[0]
    terms = dict(best.explanation.terms)
    assert best.record.id == "heat"
    assert not {"度处", "膜的", "的温", "理工", "后收"} & set(terms)
    assert terms["温度"] > 0 and terms["处理"] > 0  # the pair's part went to the words it joins
    assert sum(terms.values()) == pytest.approx(best.text_score, abs=1e-6)


def test_a_question_word_is_no_shared_term() -> None:
    """Follow-up: 如何 of a search-box query matched the 如何 of an abstract and was shown as evidence."""
    rice = Achievement(id="rice", title="水稻增产", description="研究如何提高水稻产量。")
    film = Achievement(id="film", title="锂电池隔膜", description="湿法锂电池隔膜的中试工艺。")
    matches = Matcher().fit([rice, film]).match_text("锂电池隔膜如何降本", k=2)
    assert ids(matches)[0] == "film"
    assert all("如何" not in dict(m.explanation.terms) for m in matches)


def test_reasons_for_region_maturity_modes_and_budget(matcher: Matcher) -> None:
    best = matcher.match_demand(DEMANDS[0])[0]
    assert best.explanation.reasons == [
        "同一地区: 湖北",
        "成熟度满足: 中试（需求 ≥ 中试）",
        "合作方式一致: 技术转让",
        "同一领域: 新能源",
        "报价在预算内: 80 ≤ 100 万元",
    ]
    assert set(best.explanation.boosts) == {"same_region", "maturity_fit", "mode_overlap"}


def test_boosts_decide_between_equal_texts() -> None:
    twins = [
        Achievement(id="far", description="锂电池隔膜湿法工艺", region="广东省深圳市", maturity="样品"),
        Achievement(id="near", description="锂电池隔膜湿法工艺", region="湖北省武汉市", maturity="中试"),
    ]
    demand = Demand(id="d", description="锂电池隔膜", region="湖北省黄石市", maturity="小试")
    keep_copies = QualityParams(dedupe=False)  # the twins are near-duplicates: collapsed by default
    assert ids(Matcher(quality=keep_copies).fit(twins).match_demand(demand)) == ["near", "far"]
    no_boosts = Matcher(boosts=Boosts(same_region=0, maturity_fit=0, mode_overlap=0), quality=keep_copies).fit(twins)
    assert ids(no_boosts.match_demand(demand)) == ["far", "near"]  # equal scores: input order


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(region="湖北"), {"a1", "a4", "a6", "a3"}),
        (Filters(region="武汉"), {"a1"}),
        (Filters(field="现代农业"), {"a3", "a4"}),
        (Filters(min_maturity=Maturity.PILOT), {"a1", "a3", "a4", "a6"}),
        (Filters(modes=("作价入股",)), {"a5"}),
        (Filters(max_price=60), {"a2", "a3", "a4"}),
        (Filters(exclude_ids=frozenset({"a1"})), {"a2", "a3", "a4", "a5", "a6"}),
    ],
)
def test_filters(matcher: Matcher, filters: Filters, expected: set[str]) -> None:
    everything = Demand(id="q", description="锂电池隔膜 水稻 尾水 芯片 废水 陶瓷")
    got = set(ids(matcher.match_demand(everything, k=10, filters=filters)))
    assert got <= expected and got


def test_min_score_and_nothing_shared(matcher: Matcher) -> None:
    assert matcher.match_text("量子计算机软件") == [] or all(
        m.text_score > 0 for m in matcher.match_text("量子计算机软件")
    )
    best = matcher.match_demand(DEMANDS[0], k=6)
    assert all(m.score >= best[1].score for m in matcher.match_demand(DEMANDS[0], k=6, min_score=best[1].score))


def test_save_load_round_trip(matcher: Matcher, tmp_path: Path) -> None:
    matcher.save(tmp_path / "m")
    loaded = Matcher.load(tmp_path / "m")
    for demand in DEMANDS:
        assert [(m.record, m.score, m.explanation) for m in loaded.match_demand(demand)] == [
            (m.record, m.score, m.explanation) for m in matcher.match_demand(demand)
        ]
    assert ids(loaded.match_achievement(ACHIEVEMENTS[0])) == ids(matcher.match_achievement(ACHIEVEMENTS[0]))


def test_errors(tmp_path: Path, matcher: Matcher) -> None:
    with pytest.raises(NotFittedError):
        Matcher().match_text("隔膜")
    with pytest.raises(MatcherError, match="k must be"):
        matcher.match_demand(DEMANDS[0], k=0)
    with pytest.raises(MatcherError, match="not a saved matcher"):
        Matcher.load(tmp_path)
    with pytest.raises(MatcherError, match="direction"):
        matcher.match_text("隔膜", direction="sideways")


def test_empty_side_returns_nothing() -> None:
    only_achievements = Matcher().fit(ACHIEVEMENTS)
    assert only_achievements.match_achievement(ACHIEVEMENTS[0]) == []


def test_upsert_makes_a_new_record_matchable_at_once(matcher: Matcher) -> None:
    new = Achievement(
        id="a7",
        title="钠离子电池正极材料",
        description="层状氧化物钠离子电池正极材料，循环寿命3000次。",
        region="湖北省武汉市",
    )
    grown = matcher.upsert(achievements=[new])
    assert ids(grown.match_text("钠离子电池正极"))[0] == "a7"
    assert "a7" not in ids(matcher.match_text("钠离子电池正极"))  # the old matcher is unchanged
    assert len(grown.achievements) == len(matcher.achievements) + 1


def test_upsert_replaces_by_id_and_remove_drops(matcher: Matcher) -> None:
    edited = ACHIEVEMENTS[0].model_copy(update={"title": "干法隔膜", "description": "干法单向拉伸隔膜工艺"})
    changed = matcher.upsert(achievements=[edited])
    assert [a.id for a in changed.achievements].count("a1") == 1
    assert next(a for a in changed.achievements if a.id == "a1").title == "干法隔膜"
    smaller = changed.remove(achievement_ids=["a1", "missing"], demand_ids=["d1"])
    assert "a1" not in ids(smaller.match_text("隔膜", k=10))
    assert "d1" not in [d.id for d in smaller.demands]


def test_refit_equals_a_fresh_fit(matcher: Matcher) -> None:
    new = Achievement(id="a7", description="钠离子电池正极材料")
    refitted = matcher.upsert(achievements=[new]).refit()
    fresh = Matcher().fit([*ACHIEVEMENTS, new], DEMANDS)
    for demand in DEMANDS:
        assert [(m.record.id, round(m.score, 6)) for m in refitted.match_demand(demand)] == [
            (m.record.id, round(m.score, 6)) for m in fresh.match_demand(demand)
        ]


def test_upsert_into_an_empty_side() -> None:
    grown = Matcher().fit(ACHIEVEMENTS).upsert(demands=DEMANDS[:1])
    assert ids(grown.match_achievement(ACHIEVEMENTS[0])) == ["d1"]


def test_parallel_batch_equals_one_at_a_time(matcher: Matcher, monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches run on every core; the threaded kernel ranks exactly as the single-query one."""
    from matcher import postings

    singles = [[(m.record.id, m.score) for m in matcher.match_demand(d, k=3)] for d in DEMANDS]
    monkeypatch.setattr(postings, "PARALLEL_WORK", 0)
    batch = matcher.match_demands(DEMANDS, k=3, filters=Filters())
    assert [[(m.record.id, m.score) for m in row] for row in batch] == singles


def test_upsert_replacing_every_record_of_a_side() -> None:
    """Re-importing the same records (a bulk import run twice) must not leave an unfitted index."""
    matcher = Matcher().fit(ACHIEVEMENTS[:2], DEMANDS)
    edited = [d.model_copy(update={"title": "改过的标题"}) for d in DEMANDS]
    again = matcher.upsert(demands=edited)
    assert [d.title for d in again.demands] == ["改过的标题"] * len(DEMANDS)
    assert ids(again.match_achievement(ACHIEVEMENTS[0]))[0] == "d1"


def test_describe_gives_the_size_of_each_index() -> None:
    sizes = Matcher().fit(ACHIEVEMENTS).describe()
    assert sizes["achievements"]["documents"] == len(ACHIEVEMENTS) and sizes["achievements"]["features"] > 0
    assert sizes["demands"] == {"documents": 0, "features": 0}


def test_upsert_on_a_small_index_refits_so_new_words_count(matcher: Matcher) -> None:
    """Non-regression: a posted record whose words the small corpus never had was found only by chance."""
    graphene = Achievement(
        id="a-new", title="石墨烯导热膜量产工艺", description="高导热石墨烯薄膜的连续化制备，面向手机散热。"
    )
    grown = matcher.upsert(achievements=[graphene])
    assert ids(grown.match_demand(Demand(id="d", description="求购石墨烯导热膜技术")))[0] == "a-new"
    assert "石墨烯" in [t for m in grown.match_text("石墨烯", k=1) for t, _ in m.explanation.terms]


def test_upsert_on_a_large_index_extends_without_refit(matcher: Matcher, monkeypatch: pytest.MonkeyPatch) -> None:
    import matcher.engine as engine

    monkeypatch.setattr(engine, "REFIT_UP_TO", 0)
    new = Achievement(id="a7", description="钠离子电池正极材料")
    grown = matcher.upsert(achievements=[new])
    assert grown.achievements_.index.channels_ is matcher.achievements_.index.channels_  # same vocabulary, no refit
