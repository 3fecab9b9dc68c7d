"""科技成果: create, and the demands that fit one (the reverse direction); the rest is shared."""

from matcher import Achievement

from ..deps import AchievementBody, FiltersQuery, IdPath, KQuery, MatcherDep, RepoDep, StoreDep, WriteAccess
from ..schemas import AchievementWithMatches, demand_matches
from .records import record_router, stored

router = record_router(Achievement, AchievementBody)


@router.post(
    "", status_code=201, response_model=Achievement, dependencies=[WriteAccess], summary="Store an achievement"
)
def create_achievement(achievement: AchievementBody, store: StoreDep) -> Achievement:
    """Stored and matchable at once (it joins the live index before the answer is sent)."""
    store.add(achievement)
    return achievement


@router.get("/{id}/matches", response_model=AchievementWithMatches, summary="Demands for a stored achievement")
def achievement_matches(
    id: IdPath, filters: FiltersQuery, repo: RepoDep, matcher: MatcherDep, k: KQuery = 10
) -> AchievementWithMatches:
    achievement = stored(repo, Achievement, id)
    matches = matcher.match_achievement(achievement, k=k, filters=filters.to_filters())
    return AchievementWithMatches(achievement=achievement, matches=demand_matches(matches))
