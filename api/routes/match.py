"""Ad hoc matching of a text: nothing is stored."""

from fastapi import APIRouter

from ..deps import MatcherDep, ReadAccess, SettingsDep
from ..errors import ERROR_RESPONSES
from ..limits import check_texts
from ..schemas import AchievementMatches, DemandMatches, MatchRequest, achievement_matches, demand_matches

router = APIRouter(tags=["match"], responses=ERROR_RESPONSES, dependencies=[ReadAccess])


@router.post("/match", response_model=AchievementMatches | DemandMatches, summary="Match a text, store nothing")
def match_text(request: MatchRequest, matcher: MatcherDep, settings: SettingsDep) -> AchievementMatches | DemandMatches:
    """Achievements for a demand text (default), or demands for an achievement text (``direction``)."""
    check_texts([(None, "text", request.text)], max_chars=settings.max_text_chars, source="body")
    filters = request.filters.to_filters()
    matches = matcher.match_text(request.text, k=request.k, filters=filters, direction=request.direction)
    if request.direction == "demands":
        return DemandMatches(matches=demand_matches(matches))
    return AchievementMatches(matches=achievement_matches(matches))
