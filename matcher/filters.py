"""Filters and boosts as vectorised arrays over one side's records, so they cost O(n) numpy work."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .records import CooperationMode, Maturity, Record
from .regions import province_of, region_matches

_MODES = list(CooperationMode)


def mode_bits(modes: Sequence[CooperationMode]) -> int:
    bits = 0
    for mode in modes:
        bits |= 1 << _MODES.index(mode)
    return bits


def field_matches(wanted: str, value: str) -> bool:
    """A field selects itself and its sub-fields ('现代农业' selects '现代农业/健康养殖')."""
    return value == wanted or value.startswith(wanted + "/")


@dataclass(frozen=True)
class Filters:
    """Hard conditions on the records being ranked; ``None``/empty means no condition.

    ``max_price`` keeps achievements whose price is unknown (面议) or within it;
    ``min_budget`` keeps demands whose budget is unknown or at least it.
    """

    field: str | None = None
    region: str | None = None
    min_maturity: Maturity | None = None
    modes: tuple[CooperationMode, ...] = ()
    max_price: float | None = None
    min_budget: float | None = None
    exclude_ids: frozenset[str] = dataclasses.field(default_factory=frozenset)


@dataclass(frozen=True)
class Boosts:
    """Points added to the text score of a pair; named, so explanations can show each one."""

    same_region: float = 0.05
    maturity_fit: float = 0.03
    mode_overlap: float = 0.02

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if value < 0:
                raise ValueError(f"boost {name} must be >= 0, got {value}")


def money_of(record: Record) -> float | None:
    return getattr(record, "price", None) if hasattr(record, "price") else getattr(record, "budget", None)


class Attributes:
    """The filterable attributes of one side's records as arrays, aligned with index rows."""

    def __init__(self, records: Sequence[Record]) -> None:
        self.ids = np.array([r.id for r in records], dtype=object)
        self.fields = np.array([r.field for r in records], dtype=object)
        self.regions = np.array([r.region for r in records], dtype=object)
        self.provinces = np.array([province_of(r.region) for r in records], dtype=object)
        self.maturity = np.array([r.maturity.rank if r.maturity else -1 for r in records], dtype=np.int8)
        self.modes = np.array([mode_bits(r.cooperation_modes) for r in records], dtype=np.int16)
        money = [money_of(r) for r in records]
        self.money = np.array([np.nan if m is None else m for m in money], dtype=np.float64)

    def _by_value(self, values: np.ndarray, test: object) -> np.ndarray:
        """Evaluate a string predicate once per distinct value, then spread it over rows."""
        distinct, inverse = np.unique(values.astype(str), return_inverse=True)
        return np.array([test(v) for v in distinct], dtype=bool)[inverse]  # type: ignore[operator]

    def mask(self, filters: Filters) -> np.ndarray | None:
        """Rows that pass every filter, or ``None`` when there is nothing to filter."""
        keep = np.ones(len(self.ids), dtype=bool)
        if filters.field:
            keep &= self._by_value(self.fields, lambda v: field_matches(filters.field or "", v))
        if filters.region:
            keep &= self._by_value(self.regions, lambda v: region_matches(filters.region or "", v))
        if filters.min_maturity is not None:
            keep &= self.maturity >= filters.min_maturity.rank
        if filters.modes:
            keep &= (self.modes & mode_bits(filters.modes)) != 0
        with np.errstate(invalid="ignore"):
            if filters.max_price is not None:
                keep &= np.isnan(self.money) | (self.money <= filters.max_price)
            if filters.min_budget is not None:
                keep &= np.isnan(self.money) | (self.money >= filters.min_budget)
        if filters.exclude_ids:
            keep &= ~np.isin(self.ids, list(filters.exclude_ids))
        return None if keep.all() else keep

    def boosts(self, query: Record, boosts: Boosts, *, query_is_demand: bool) -> dict[str, np.ndarray]:
        """Each named boost's points for ``query`` paired with every row (zero where it does not apply)."""
        parts: dict[str, np.ndarray] = {}
        province = province_of(query.region)
        if province and boosts.same_region:
            parts["same_region"] = np.float32(boosts.same_region) * (self.provinces == province)
        if query.maturity is not None and boosts.maturity_fit:
            if query_is_demand:  # rows are achievements: mature enough for the demand?
                fit = self.maturity >= query.maturity.rank
            else:  # rows are demands: does the achievement meet what each demand asks?
                fit = (self.maturity >= 0) & (self.maturity <= query.maturity.rank)
            parts["maturity_fit"] = np.float32(boosts.maturity_fit) * fit
        if query.cooperation_modes and boosts.mode_overlap:
            overlap = (self.modes & mode_bits(query.cooperation_modes)) != 0
            parts["mode_overlap"] = np.float32(boosts.mode_overlap) * overlap
        return parts
