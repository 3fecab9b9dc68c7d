"""Attributes as coded arrays: grown or shrunk copies equal a fresh build; masks are remembered."""

import numpy as np

from matcher import Boosts, Filters, Maturity
from matcher.filters import Attributes
from tests.conftest import ACHIEVEMENTS, DEMANDS

FILTERS = [
    Filters(field="现代农业"),
    Filters(region="湖北"),
    Filters(min_maturity=Maturity.PILOT, modes=("技术转让",)),
    Filters(max_price=100, exclude_ids=frozenset({"a1"})),
]


def _same(left: Attributes, right: Attributes) -> None:
    assert left.ids == right.ids
    for f in FILTERS:
        a, b = left.mask(f), right.mask(f)
        assert (a is None and b is None) or np.array_equal(a, b)
    for name in ("maturity", "modes"):
        np.testing.assert_array_equal(getattr(left, name), getattr(right, name))
    np.testing.assert_array_equal(left.money, right.money)
    for query in DEMANDS:
        lp, rp = (x.boosts(query, Boosts(), query_is_demand=True) for x in (left, right))
        assert lp.keys() == rp.keys() and all(np.array_equal(lp[k], rp[k]) for k in lp)


def test_extended_equals_a_fresh_build() -> None:
    _same(Attributes(ACHIEVEMENTS[:2]).extended(ACHIEVEMENTS[2:]), Attributes(ACHIEVEMENTS))


def test_without_equals_a_fresh_build_of_the_rows_kept() -> None:
    keep = np.array([True, False, True, False, True, True])
    kept = [a for a, k in zip(ACHIEVEMENTS, keep, strict=True) if k]
    _same(Attributes(ACHIEVEMENTS).without(keep), Attributes(kept))


def test_masks_are_remembered_per_filters() -> None:
    attributes = Attributes(ACHIEVEMENTS)
    assert attributes.mask(FILTERS[0]) is attributes.mask(Filters(field="现代农业"))
    assert attributes.mask(Filters()) is None


def test_boosts_for_some_rows_equal_those_rows_of_all() -> None:
    attributes, rows = Attributes(ACHIEVEMENTS), np.array([4, 0, 2])
    for query in DEMANDS:
        every = attributes.boosts(query, Boosts(), query_is_demand=True)
        some = attributes.boosts(query, Boosts(), query_is_demand=True, rows=rows)
        assert all(np.array_equal(every[name][rows], some[name]) for name in every)
