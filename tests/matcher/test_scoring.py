import pytest

from matcher import Achievement, Demand, InputError, Matcher
from matcher.scoring import COVERAGE, FEEDBACK, QualityParams, quality_from_settings, query_length
from matcher.semantic import SEMANTIC
from tests.conftest import ACHIEVEMENTS, DEMANDS

EVERYTHING = QualityParams(feedback=True, semantic=True, semantic_dims=4, field_boost=0.05)


def test_every_part_is_named_and_the_parts_add_up() -> None:
    matcher = Matcher(quality=EVERYTHING).fit(ACHIEVEMENTS, DEMANDS)
    names = set()
    for query in [*DEMANDS, Demand(id="s", description="隔膜工艺"), Demand(id="t", description="拉肚子的小龙虾")]:
        for match in matcher.match_demand(query, k=6):
            terms = dict(match.explanation.terms)
            names |= set(terms)
            assert sum(terms.values()) == pytest.approx(match.text_score, abs=1e-5)
            assert match.score == pytest.approx(match.text_score + sum(match.explanation.boosts.values()), abs=1e-5)
    assert {FEEDBACK, SEMANTIC, COVERAGE} <= names


def test_feedback_applies_to_short_queries_only() -> None:
    matcher = Matcher(quality=QualityParams(expand=False, feedback=True)).fit(ACHIEVEMENTS)
    short = [t for m in matcher.match_demand(Demand(id="s", description="隔膜工艺")) for t, _ in m.explanation.terms]
    assert FEEDBACK in short
    long_terms = [t for m in matcher.match_demand(DEMANDS[0]) for t, _ in m.explanation.terms]
    assert FEEDBACK not in long_terms


def test_all_off_is_the_plain_engine() -> None:
    off = QualityParams(expand=False, coverage_weight=0, semantic=False, fill_fields=False, dedupe=False)
    matcher = Matcher(quality=off).fit(ACHIEVEMENTS)
    best = matcher.match_demand(Demand(id="s", description="隔膜工艺"))[0]
    assert all(not t.startswith(("≈", "（相关", "（覆盖", "（语义")) for t, _ in best.explanation.terms)


def test_batch_equals_single_with_everything_on() -> None:
    matcher = Matcher(quality=EVERYTHING).fit(ACHIEVEMENTS, DEMANDS)
    queries = [*DEMANDS, Demand(id="s", description="隔膜工艺")]
    for query, batch in zip(queries, matcher.match_demands(queries, k=4), strict=True):
        single = matcher.match_demand(query, k=4)
        assert [m.record.id for m in single] == [m.record.id for m in batch]
        assert [m.score for m in single] == pytest.approx([m.score for m in batch], abs=1e-6)


def test_semantic_channel_survives_upsert_and_save(tmp_path) -> None:
    matcher = Matcher(quality=EVERYTHING).fit(ACHIEVEMENTS[:4])
    grown = matcher.upsert(achievements=ACHIEVEMENTS[4:])
    query = Demand(id="q", description="化工废水COD深度处理")
    assert grown.match_demand(query)[0].record.id == "a6"
    grown.save(tmp_path / "m")
    loaded = Matcher.load(tmp_path / "m")
    assert loaded.quality == EVERYTHING
    assert [m.score for m in loaded.match_demand(query)] == pytest.approx([m.score for m in grown.match_demand(query)])


def test_quality_settings_from_the_command_line() -> None:
    assert quality_from_settings(["expand=false", "feedback-weight=0.3"]) == QualityParams(
        expand=False, feedback_weight=0.3
    )
    with pytest.raises(InputError, match="unknown setting 'colour'"):
        quality_from_settings(["colour=red"])
    with pytest.raises(InputError, match="expand: 'maybe' is not a valid bool"):
        quality_from_settings(["expand=maybe"])
    with pytest.raises(InputError, match="expand_weight must be >= 0"):
        quality_from_settings(["expand_weight=-1"])


def test_query_length_counts_what_was_typed() -> None:
    assert query_length(Achievement(id="x", title="隔膜", description="湿法 工艺", keywords=["锂电"])) == 8
