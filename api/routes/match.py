"""Ad hoc matching of a text: nothing is stored."""

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from matcher import Filters, Matcher

from ..deps import MatcherDep, ReadAccess, SettingsDep
from ..errors import ERROR_RESPONSES
from ..limits import check_texts
from ..schemas import AchievementMatches, DemandMatches, MatchRequest, achievement_matches, demand_matches

router = APIRouter(tags=["match"], responses=ERROR_RESPONSES, dependencies=[ReadAccess])


@router.post("/match", response_model=AchievementMatches | DemandMatches, summary="Match a text, store nothing")
async def match_text(
    request: MatchRequest, matcher: MatcherDep, settings: SettingsDep
) -> AchievementMatches | DemandMatches:
    """Achievements for a demand text (default), or demands for an achievement text (``direction``).

    The matching and the building of the answer take one trip to the thread pool; the checks before
    and the response's validation run on the event loop (a plain ``def`` route would take a second
    trip, behind the other requests' matching, for FastAPI to validate what it returns).
    """
    check_texts([(None, "text", request.text)], max_chars=settings.max_text_chars, source="body")
    return await run_in_threadpool(_answer, matcher, request, request.filters.to_filters())


def _answer(matcher: Matcher, request: MatchRequest, filters: Filters) -> AchievementMatches | DemandMatches:
    matches = matcher.match_text(request.text, k=request.k, filters=filters, direction=request.direction)
    if request.direction == "demands":
        return DemandMatches(matches=demand_matches(matches))
    return AchievementMatches(matches=achievement_matches(matches))
