import math

import pytest

from matcher.evaluate import Judged, ndcg, recall, reciprocal_rank, summarize


def test_metrics_on_a_hand_computed_example() -> None:
    first = Judged(["x", "a", "y"], frozenset({"a"}), "农学", ["农学", "农学", "医学"])
    second = Judged(["b", "c", "z"], frozenset({"b", "z"}), "医学", ["医学", "工学", "医学"])
    third = Judged(["p", "q"], frozenset({"r"}))
    result = summarize([first, second, third])
    assert result["MRR@10"] == pytest.approx((1 / 2 + 1 + 0) / 3)
    assert result["Recall@1"] == pytest.approx((0 + 0.5 + 0) / 3)
    assert result["Recall@10"] == pytest.approx((1 + 1 + 0) / 3)
    ndcg_second = (1 + 1 / math.log2(4)) / (1 + 1 / math.log2(3))
    assert result["nDCG@10"] == pytest.approx((1 / math.log2(3) + ndcg_second + 0) / 3)
    assert result["discipline@10"] == pytest.approx((2 / 3 + 2 / 3) / 2)
    assert result["queries"] == 3


def test_single_metrics() -> None:
    assert reciprocal_rank(["a"] * 10 + ["b"], frozenset({"b"})) == 0.0
    assert recall([], frozenset({"a"}), 10) == 0.0
    assert ndcg(["a", "b"], frozenset({"a", "b"})) == pytest.approx(1.0)
    assert summarize([]) == {"queries": 0}
