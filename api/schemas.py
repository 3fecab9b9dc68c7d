"""What the API reads and answers beyond the records themselves (those are matcher.records models).

Request bodies for records are :class:`matcher.records.Achievement` / ``Demand``, so the API, the
CLI and the batch script share one set of field rules.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, Field, TypeAdapter

from matcher import Achievement, CooperationMode, Demand, Filters, Match, Maturity
from matcher.snapshot import How

MAX_K = 100
READ_SCHEME, WRITE_SCHEME = "ReadKey", "WriteKey"
"""Names of the two uses of the X-API-Key header in the OpenAPI schema (see api.main.openapi_for)."""

R = TypeVar("R", Achievement, Demand)

ACHIEVEMENT_EXAMPLE: dict[str, Any] = {
    "id": "A-2024-0001",
    "title": "湿法锂电池隔膜制备技术",
    "description": "一种湿法锂电池隔膜的中试制备工艺，孔隙率均匀，热收缩率低于2%，可用于动力电池。",
    "keywords": ["锂电池隔膜", "湿法"],
    "field": "新能源",
    "region": "湖北省武汉市",
    "maturity": "中试",
    "cooperation_modes": ["技术转让", "技术许可"],
    "owner": "武汉某大学",
    "owner_type": "高校",
    "price": 80,
}

DEMAND_EXAMPLE: dict[str, Any] = {
    "id": "D-2024-0001",
    "title": "求购锂电池隔膜生产技术",
    "description": "我公司计划建设锂电池隔膜生产线，需要成熟的湿法工艺，热收缩率要低。",
    "keywords": ["隔膜"],
    "field": "新能源",
    "region": "湖北省襄阳市",
    "maturity": "中试",
    "cooperation_modes": ["技术转让"],
    "company": "襄阳某新能源公司",
    "budget": 100,
    "deadline": "2025-12-31",
}


class MatchFilters(BaseModel):
    """Hard conditions on the records ranked; empty means no condition."""

    field: str | None = Field(None, max_length=100, description="技术领域; a parent selects its sub-fields")
    region: str | None = Field(None, max_length=100, description="a province (湖北) selects all its cities")
    min_maturity: Maturity | None = Field(None, description="keep records at least this mature")
    mode: list[CooperationMode] = Field(default_factory=list, description="keep records offering one of these")
    max_price: float | None = Field(
        None, ge=0, allow_inf_nan=False, description="万元: achievements priced within it (面议 kept)"
    )
    min_budget: float | None = Field(
        None, ge=0, allow_inf_nan=False, description="万元: demands with at least this budget (unknown kept)"
    )

    def to_filters(self) -> Filters:
        return Filters(
            field=self.field,
            region=self.region,
            min_maturity=self.min_maturity,
            modes=tuple(self.mode),
            max_price=self.max_price,
            min_budget=self.min_budget,
        )


class MatchRequest(BaseModel):
    """An ad hoc text to match; nothing is stored."""

    text: str = Field(
        min_length=1,
        description="a demand (or achievement) in plain words",
        examples=["求购锂电池隔膜湿法生产工艺，要求热收缩率低"],
    )
    k: int = Field(10, ge=1, le=MAX_K, description="how many matches")
    direction: Literal["achievements", "demands"] = Field(
        "achievements", description="rank achievements for the text (default) or demands"
    )
    filters: MatchFilters = Field(MatchFilters(), examples=[{"region": "湖北", "min_maturity": "中试"}])


class RecordQuery(BaseModel):
    """A list request: filters as for matching (field, region), exact or minimum maturity, text search."""

    field: str | None = Field(None, max_length=100, description="技术领域; a parent selects its sub-fields")
    region: str | None = Field(None, max_length=100, description="a province (湖北) selects all its cities")
    maturity: Maturity | None = Field(None, description="exactly this stage")
    min_maturity: Maturity | None = Field(None, description="this stage or later")
    q: str | None = Field(None, max_length=200, description="text in the title, description or keywords")
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(20, ge=1, le=100)


class Page(BaseModel, Generic[R]):
    data: list[R]
    count: int = Field(description="records the query selects, on all pages")
    page: int
    page_size: int


class TermPublic(BaseModel):
    term: str
    weight: float = Field(description="this term's part of the text score")


class ExplanationPublic(BaseModel):
    terms: list[TermPublic] = Field(description="shared terms, largest part first; they add up to text_score")
    reasons: list[str] = Field(description="plain-language reasons, e.g. 同一地区: 湖北")
    boosts: dict[str, float] = Field(
        description="named points added to text_score (same_region, maturity_fit, mode_overlap)"
    )


class AchievementMatch(BaseModel):
    achievement: Achievement
    score: float = Field(description="text_score plus the boosts")
    text_score: float
    explanation: ExplanationPublic


class DemandMatch(BaseModel):
    demand: Demand
    score: float = Field(description="text_score plus the boosts")
    text_score: float
    explanation: ExplanationPublic


def _parts(match: Match) -> dict[str, Any]:
    """One match as plain data: validated by pydantic's core in one call, not term by term in Python."""
    explanation = match.explanation
    terms = [{"term": term, "weight": weight} for term, weight in explanation.terms]
    return {
        "score": match.score,
        "text_score": match.text_score,
        "explanation": {"terms": terms, "reasons": explanation.reasons, "boosts": explanation.boosts},
    }


_ACHIEVEMENT_MATCHES = TypeAdapter(list[AchievementMatch])
_DEMAND_MATCHES = TypeAdapter(list[DemandMatch])


def achievement_matches(matches: list[Match]) -> list[AchievementMatch]:
    return _ACHIEVEMENT_MATCHES.validate_python([{"achievement": m.record, **_parts(m)} for m in matches])


def demand_matches(matches: list[Match]) -> list[DemandMatch]:
    return _DEMAND_MATCHES.validate_python([{"demand": m.record, **_parts(m)} for m in matches])


class AchievementMatches(BaseModel):
    matches: list[AchievementMatch] = Field(description="best first")


class DemandMatches(BaseModel):
    matches: list[DemandMatch] = Field(description="best first")


class DemandWithMatches(BaseModel):
    demand: Demand
    matches: list[AchievementMatch] = Field(description="achievements for the demand, best first")


class AchievementWithMatches(BaseModel):
    achievement: Achievement
    matches: list[DemandMatch] = Field(description="demands for the achievement, best first")


class BulkResult(BaseModel):
    created: int
    updated: int


class IndexSide(BaseModel):
    documents: int
    features: int


class Freshness(BaseModel):
    refitted_at: datetime = Field(description="when the index was last fitted from the database")
    writes_since_refit: int = Field(description="writes added since (they use the older vocabulary and IDF)")
    rebuilding: bool
    last_error: str | None = Field(description="why the last rebuild failed, if it did")
    source: How = Field(
        description="how the serving index was made: fitted from the database, loaded from TECHMATCH_INDEX_DIR, "
        "or loaded and updated with the records changed since it was saved"
    )


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    database: str = Field(description="the database's kind: sqlite, postgresql, ...")
    records: dict[str, int] = Field(description="stored records by kind")
    index: dict[str, IndexSide] = Field(description="indexed records by kind")
    in_sync: bool = Field(description="the index holds as many records as the database")
    freshness: Freshness


class RebuildStarted(BaseModel):
    started: bool = Field(description="false when a rebuild was running already")
    freshness: Freshness
