"""The compiled ranking path against the exact dense one, on the sample data with every default part on."""

from __future__ import annotations

import pytest

from matcher import Achievement, Demand, Filters, Matcher, Maturity
from matcher.io import read_records
from matcher.ranker import Options, Ranker
from matcher.samples import SAMPLE_DIR
from matcher.scoring import COVERAGE


@pytest.fixture(scope="module")
def sample() -> tuple[Matcher, list[Demand]]:
    achievements = read_records(SAMPLE_DIR / "achievements.jsonl", Achievement)
    demands = read_records(SAMPLE_DIR / "demands.jsonl", Demand)
    return Matcher().fit(achievements, demands), demands


def _both(matcher: Matcher, queries: list[Demand], options: Options) -> tuple[list, list]:
    side = matcher.achievements_
    compiled = Ranker(side, matcher.boosts, query_is_demand=True).rank(queries, options)
    dense = Ranker(side, matcher.boosts, query_is_demand=True, dense=True).rank(queries, options)
    return compiled, dense


def _flat(results: list) -> list:
    return [
        [(m.record.id, m.score, m.text_score, m.explanation.terms, m.explanation.boosts, m.duplicates) for m in row]
        for row in results
    ]


@pytest.mark.parametrize(
    "options",
    [
        Options(10, Filters(), 0.0, True),
        Options(3, Filters(min_maturity=Maturity.PILOT), 0.0, True),
        Options(20, Filters(field="现代农业"), 0.05, True),
    ],
)
def test_compiled_path_ranks_exactly_as_the_dense_path(sample: tuple[Matcher, list[Demand]], options: Options) -> None:
    matcher, demands = sample
    titles = [d.model_copy(update={"description": d.title, "title": "", "keywords": []}) for d in demands]
    compiled, dense = _both(matcher, demands + titles, options)
    assert _flat(compiled) == _flat(dense)


def test_short_queries_are_re_ranked_by_coverage_on_both_paths(sample: tuple[Matcher, list[Demand]]) -> None:
    """Search-box queries get the coverage part; it is named in the explanation and counted in the score."""
    matcher, _ = sample
    queries = [Demand(id="q1", description="水稻耐盐碱"), Demand(id="q2", description="锂电池隔膜涂覆")]
    compiled, dense = _both(matcher, queries, Options(10, Filters(), 0.0, True))
    assert _flat(compiled) == _flat(dense)
    covered = [m for row in compiled for m in row if any(t == COVERAGE for t, _ in m.explanation.terms)]
    assert covered
    for match in covered:
        assert sum(w for _, w in match.explanation.terms) == pytest.approx(match.text_score, abs=1e-5)


def test_near_duplicates_are_collapsed_alike_on_both_paths() -> None:
    """Re-posted copies push the compiled path to fetch more candidates; it must still agree."""
    achievements = read_records(SAMPLE_DIR / "achievements.jsonl", Achievement)
    copies = [
        a.model_copy(update={"id": a.id + "-copy", "description": a.description + "（转载）"}) for a in achievements
    ]
    demands = read_records(SAMPLE_DIR / "demands.jsonl", Demand)[:30]
    matcher = Matcher().fit(achievements + copies)
    compiled, dense = _both(matcher, demands, Options(5, Filters(), 0.0, True))
    assert _flat(compiled) == _flat(dense)
    assert all(len(row) == 5 and all(m.duplicates for m in row) for row in compiled)
