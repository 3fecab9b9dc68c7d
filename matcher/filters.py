"""Filters and boosts as vectorised arrays over one side's records, so they cost O(n) numpy work."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .postings import Pairing
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
    """The filterable attributes of one side's records as arrays, aligned with index rows.

    Text attributes are stored as codes into their distinct values, so a filter tests each
    distinct value once and spreads the answer with one lookup; masks are remembered per
    :class:`Filters`, as repeated searches repeat filters.
    """

    def __init__(self, records: Sequence[Record]) -> None:
        self.ids = [r.id for r in records]
        self.fields, self.field_codes = _codes([r.field for r in records])
        self.regions, self.region_codes = _codes([r.region for r in records])
        self.provinces, self.province_codes = _codes([province_of(r.region) for r in records])
        self.maturity = np.array([r.maturity.rank if r.maturity else -1 for r in records], dtype=np.int8)
        self.modes = np.array([mode_bits(r.cooperation_modes) for r in records], dtype=np.int16)
        money = [money_of(r) for r in records]
        self.money = np.array([np.nan if m is None else m for m in money], dtype=np.float64)
        self._masks: dict[Filters, np.ndarray | None] = {}

    def __len__(self) -> int:
        return len(self.ids)

    def extended(self, records: Sequence[Record]) -> Attributes:
        """These attributes with ``records`` appended (O(rows) array work, no per-record Python for old rows)."""
        return self._joined(Attributes(records))

    def without(self, keep: np.ndarray) -> Attributes:
        """These attributes for the rows where ``keep`` is true."""
        other = Attributes([])
        other.ids = [i for i, kept in zip(self.ids, keep, strict=True) if kept]
        for name in ("field", "region", "province"):
            setattr(other, name + "s", getattr(self, name + "s"))
            setattr(other, name + "_codes", getattr(self, name + "_codes")[keep])
        other.maturity, other.modes, other.money = self.maturity[keep], self.modes[keep], self.money[keep]
        return other

    def _joined(self, new: Attributes) -> Attributes:
        other = Attributes([])
        other.ids = self.ids + new.ids
        for name in ("field", "region", "province"):
            values, codes = _merged(
                getattr(self, name + "s"),
                getattr(self, name + "_codes"),
                getattr(new, name + "s"),
                getattr(new, name + "_codes"),
            )
            setattr(other, name + "s", values)
            setattr(other, name + "_codes", codes)
        other.maturity = np.concatenate([self.maturity, new.maturity])
        other.modes = np.concatenate([self.modes, new.modes])
        other.money = np.concatenate([self.money, new.money])
        return other

    def mask(self, filters: Filters) -> np.ndarray | None:
        """Rows that pass every filter, or ``None`` when there is nothing to filter."""
        if filters not in self._masks:
            if len(self._masks) >= _MASKS_KEPT:
                self._masks.pop(next(iter(self._masks)), None)
            self._masks[filters] = self._compute_mask(filters)
        return self._masks[filters]

    def _compute_mask(self, filters: Filters) -> np.ndarray | None:
        keep = np.ones(len(self), dtype=bool)
        if filters.field:
            keep &= _spread(self.fields, self.field_codes, lambda v: field_matches(filters.field or "", v))
        if filters.region:
            keep &= _spread(self.regions, self.region_codes, lambda v: region_matches(filters.region or "", v))
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
            keep &= ~np.isin(np.array(self.ids, dtype=object), list(filters.exclude_ids))
        return None if keep.all() else keep

    def boosts(
        self, query: Record, boosts: Boosts, *, query_is_demand: bool, rows: np.ndarray | None = None
    ) -> dict[str, np.ndarray]:
        """Each named boost's points for ``query`` paired with every row, or with ``rows`` only."""
        chosen = slice(None) if rows is None else rows
        parts: dict[str, np.ndarray] = {}
        province = province_of(query.region)
        if province and boosts.same_region:
            parts["same_region"] = np.float32(boosts.same_region) * (
                self.provinces[self.province_codes[chosen]] == province
            )
        if query.maturity is not None and boosts.maturity_fit:
            maturity = self.maturity[chosen]
            if query_is_demand:  # rows are achievements: mature enough for the demand?
                fit = maturity >= query.maturity.rank
            else:  # rows are demands: does the achievement meet what each demand asks?
                fit = (maturity >= 0) & (maturity <= query.maturity.rank)
            parts["maturity_fit"] = np.float32(boosts.maturity_fit) * fit
        if query.cooperation_modes and boosts.mode_overlap:
            overlap = (self.modes[chosen] & mode_bits(query.cooperation_modes)) != 0
            parts["mode_overlap"] = np.float32(boosts.mode_overlap) * overlap
        return parts

    def pairing(self, queries: Sequence[Record], boosts: Boosts, *, query_is_demand: bool) -> Pairing:
        """The same boosts as :meth:`boosts`, as codes for the compiled ranking kernel."""
        code = {province: n for n, province in enumerate(self.provinces)}
        query = np.array(
            [
                (
                    code.get(province_of(q.region), _NOWHERE) if province_of(q.region) else -1,
                    q.maturity.rank if q.maturity is not None else -1,
                    mode_bits(q.cooperation_modes),
                )
                for q in queries
            ],
            dtype=np.int32,
        ).reshape(len(queries), 3)
        points = np.array([boosts.same_region, boosts.maturity_fit, boosts.mode_overlap], dtype=np.float32)
        return Pairing(self.province_codes, self.maturity, self.modes, query, points, query_is_demand)


_MASKS_KEPT = 32
_NOWHERE = -2
"""Code of a query province no row has: never equal to a row's code, but the boost still counts."""


def _codes(values: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values (sorted) and each row's code into them."""
    distinct, codes = np.unique(np.array(values, dtype=str), return_inverse=True)
    return distinct.astype(object), codes.astype(np.int32).ravel()


def _merged(
    old: np.ndarray, old_codes: np.ndarray, new: np.ndarray, new_codes: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Two coded columns as one: the union of distinct values (sorted) and both rows' codes into it."""
    values = np.unique(np.concatenate([old, new]).astype(str)).astype(object)
    position = {value: n for n, value in enumerate(values)}
    renumber = [np.array([position[v] for v in column], dtype=np.int32) for column in (old, new)]
    return values, np.concatenate([renumber[0][old_codes], renumber[1][new_codes]])


def _spread(distinct: np.ndarray, codes: np.ndarray, test: Callable[[str], bool]) -> np.ndarray:
    """A string predicate evaluated once per distinct value, then spread over rows."""
    return np.array([test(str(v)) for v in distinct], dtype=bool)[codes]
