"""Rank a record that is not stored: a draft demand (or achievement) typed into the web page.

Unlike ``POST /match`` (text only), the whole record counts: its region, maturity, cooperation modes
and budget give the boosts and the reasons (同一地区, 成熟度满足, 合作方式一致) a broker repeats.
"""

from fastapi import APIRouter

from ..deps import AchievementBody, DemandBody, FiltersQuery, KQuery, MatcherDep, ReadAccess
from ..errors import ERROR_RESPONSES
from ..schemas import AchievementWithMatches, DemandWithMatches, demand_matches
from .demands import ranked

router = APIRouter(tags=["match"], responses=ERROR_RESPONSES, dependencies=[ReadAccess])


@router.post("/demands:match", response_model=DemandWithMatches, summary="Achievements for a demand, store nothing")
def match_draft_demand(
    demand: DemandBody, filters: FiltersQuery, matcher: MatcherDep, k: KQuery = 10
) -> DemandWithMatches:
    """As ``POST /demands`` without storing: the demand is only ranked (filters as query parameters)."""
    return ranked(demand, matcher, k, filters)


@router.post(
    "/achievements:match", response_model=AchievementWithMatches, summary="Demands for an achievement, store nothing"
)
def match_draft_achievement(
    achievement: AchievementBody, filters: FiltersQuery, matcher: MatcherDep, k: KQuery = 10
) -> AchievementWithMatches:
    """The reverse direction: the demands that want this achievement, nothing stored."""
    matches = matcher.match_achievement(achievement, k=k, filters=filters.to_filters())
    return AchievementWithMatches(achievement=achievement, matches=demand_matches(matches))
