"""Operations: health (counts, index size, freshness) and the background index rebuild."""

from typing import Annotated

from fastapi import APIRouter, Query

from matcher import Achievement, Demand

from ..deps import LiveDep, RepoDep, WriteAccess
from ..errors import ERROR_RESPONSES
from ..schemas import Health, IndexSide, RebuildStarted

router = APIRouter(tags=["admin"], responses=ERROR_RESPONSES)


@router.get("/health", response_model=Health, summary="Counts, index size and freshness")
def health(repo: RepoDep, live: LiveDep) -> Health:
    records = {"achievements": repo.count(kind=Achievement), "demands": repo.count(kind=Demand)}
    index = {side: IndexSide(**size) for side, size in live.matcher.describe().items()}
    in_sync = all(index[side].documents == count for side, count in records.items())
    database = repo.engine.dialect.name
    return Health(database=database, records=records, index=index, in_sync=in_sync, freshness=live.freshness())


@router.post("/index/rebuild", status_code=202, response_model=RebuildStarted, dependencies=[WriteAccess])
def rebuild(
    live: LiveDep, wait: Annotated[bool, Query(description="answer only when the new index serves")] = False
) -> RebuildStarted:
    """Refit from the database in the background; the old index serves until the new one is swapped in."""
    started = live.rebuild()
    if wait:
        live.wait()
    return RebuildStarted(started=started, freshness=live.freshness())
