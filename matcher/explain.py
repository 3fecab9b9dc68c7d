"""Why a pair was matched: the shared terms with their part of the score, and the reasons."""

from __future__ import annotations

from dataclasses import dataclass, field

from .filters import money_of
from .index import CHAR_PREFIX
from .records import Achievement, Demand
from .regions import province_of

SINGLE_CHARACTERS = "（单字）"
"""Label under which shared single characters of the character channel are summed."""


@dataclass(frozen=True)
class Explanation:
    """``terms`` add up to the text score; ``boosts`` add up to the rest of the score."""

    terms: list[tuple[str, float]]
    reasons: list[str]
    boosts: dict[str, float] = field(default_factory=dict)


def readable_terms(contributions: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """Fold character n-grams into the shared word that contains them, keeping the sum exact.

    A gram inside no shared word stays as itself (two characters read as a word); lone single
    characters are summed under :data:`SINGLE_CHARACTERS`.
    """
    words = {t: w for t, w in contributions if not t.startswith(CHAR_PREFIX)}
    longest_first = sorted(words, key=len, reverse=True)
    merged = dict(words)
    for term, weight in contributions:
        if not term.startswith(CHAR_PREFIX):
            continue
        gram = term[len(CHAR_PREFIX) :]
        home = next((w for w in longest_first if gram in w), None)
        if home is None:
            home = gram if len(gram) > 1 else SINGLE_CHARACTERS
        merged[home] = merged.get(home, 0.0) + weight
    return sorted(merged.items(), key=lambda item: -item[1])


def pair_reasons(demand: Demand, achievement: Achievement) -> list[str]:
    """Plain-language reasons a broker can repeat to both sides (region, maturity, modes, money)."""
    reasons = []
    province = province_of(demand.region)
    if province and province == province_of(achievement.region):
        reasons.append(f"同一地区: {province}")
    if achievement.maturity is not None:
        if demand.maturity is None:
            reasons.append(f"成熟度: {achievement.maturity.value}")
        elif achievement.maturity.rank >= demand.maturity.rank:
            reasons.append(f"成熟度满足: {achievement.maturity.value}（需求 ≥ {demand.maturity.value}）")
        else:
            reasons.append(f"成熟度不足: {achievement.maturity.value}（需求 ≥ {demand.maturity.value}）")
    shared = [m.value for m in achievement.cooperation_modes if m in demand.cooperation_modes]
    if shared:
        reasons.append("合作方式一致: " + "、".join(shared))
    if demand.field and achievement.field and demand.field.split("/")[0] == achievement.field.split("/")[0]:
        reasons.append(f"同一领域: {achievement.field}")
    budget, price = money_of(demand), money_of(achievement)
    if budget is not None and price is not None:
        reasons.append(
            f"报价在预算内: {price:g} ≤ {budget:g} 万元"
            if price <= budget
            else f"报价超出预算: {price:g} > {budget:g} 万元"
        )
    return reasons
