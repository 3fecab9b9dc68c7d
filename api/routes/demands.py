"""技术需求: store one and get the ranked achievements back; re-rank a stored one."""

from matcher import Demand, Matcher

from ..deps import DemandBody, FiltersQuery, IdPath, KQuery, MatcherDep, RepoDep, StoreDep, WriteAccess
from ..schemas import DemandWithMatches, MatchFilters, achievement_matches
from .records import record_router, stored

router = record_router(Demand, DemandBody)


@router.post(
    "",
    status_code=201,
    response_model=DemandWithMatches,
    dependencies=[WriteAccess],
    summary="Store a demand, get its matches",
)
def create_demand(
    demand: DemandBody, filters: FiltersQuery, store: StoreDep, matcher: MatcherDep, k: KQuery = 10
) -> DemandWithMatches:
    """The demand is stored, then ranked against the achievements (filters as query parameters)."""
    store.add(demand)
    return ranked(demand, matcher, k, filters)


@router.get("/{id}/matches", response_model=DemandWithMatches, summary="Achievements for a stored demand")
def demand_matches(
    id: IdPath, filters: FiltersQuery, repo: RepoDep, matcher: MatcherDep, k: KQuery = 10
) -> DemandWithMatches:
    return ranked(stored(repo, Demand, id), matcher, k, filters)


def ranked(demand: Demand, matcher: Matcher, k: int, filters: MatchFilters) -> DemandWithMatches:
    matches = matcher.match_demand(demand, k=k, filters=filters.to_filters())
    return DemandWithMatches(demand=demand, matches=achievement_matches(matches))
