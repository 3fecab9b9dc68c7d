"""What route handlers receive: settings, repository, store, the current matcher, checked bodies, access.

The dependencies that only read the app's state or a header are ``async``: FastAPI runs a plain
``def`` dependency on the thread pool, and each such hop waits for one of the pool's few threads
(TECHMATCH_THREADS) behind the requests that are matching.
"""

import secrets
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Body, Depends, Path, Query, Request, Security
from fastapi.security import APIKeyHeader

from matcher import Achievement, Demand, Matcher

from .config import Settings
from .errors import Unauthorized
from .limits import check_records
from .live import LiveIndex
from .repository import SqlRepository
from .schemas import ACHIEVEMENT_EXAMPLE, DEMAND_EXAMPLE, MAX_K, READ_SCHEME, WRITE_SCHEME, MatchFilters
from .store import Store

R = TypeVar("R", Achievement, Demand)


async def _settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


async def _repository(request: Request) -> SqlRepository:
    return request.app.state.repo  # type: ignore[no-any-return]


async def _live(request: Request) -> LiveIndex:
    return request.app.state.live  # type: ignore[no-any-return]


async def _store(request: Request) -> Store:
    return request.app.state.store  # type: ignore[no-any-return]


async def _matcher(request: Request) -> Matcher:
    """The index as it is now; the request keeps this object even if a write swaps in another."""
    return request.app.state.live.matcher  # type: ignore[no-any-return]


SettingsDep = Annotated[Settings, Depends(_settings)]
RepoDep = Annotated[SqlRepository, Depends(_repository)]
LiveDep = Annotated[LiveIndex, Depends(_live)]
StoreDep = Annotated[Store, Depends(_store)]
MatcherDep = Annotated[Matcher, Depends(_matcher)]

IdPath = Annotated[str, Path(min_length=1, max_length=128, description="the record's id")]
KQuery = Annotated[int, Query(ge=1, le=MAX_K, description="how many matches")]
FiltersQuery = Annotated[MatchFilters, Query()]

_write_key = APIKeyHeader(
    name="X-API-Key", scheme_name=WRITE_SCHEME, auto_error=False, description="the key set by TECHMATCH_API_KEY"
)
_read_key = APIKeyHeader(
    name="X-API-Key", scheme_name=READ_SCHEME, auto_error=False, description="for reads with TECHMATCH_PROTECT_READS"
)


def _check_key(settings: Settings, given: str | None) -> None:
    expected = settings.api_key
    if expected is None:
        return
    if given is None or not secrets.compare_digest(given.encode("latin-1"), expected.get_secret_value().encode()):
        raise Unauthorized("missing or wrong X-API-Key header")


async def _write_access(settings: SettingsDep, key: Annotated[str | None, Security(_write_key)]) -> None:
    _check_key(settings, key)


async def _read_access(settings: SettingsDep, key: Annotated[str | None, Security(_read_key)]) -> None:
    if settings.protect_reads:
        _check_key(settings, key)


WriteAccess = Depends(_write_access)
ReadAccess = Depends(_read_access)


def _checked_body(kind: type[R], example: dict[str, Any]) -> Callable[..., R]:
    """A dependency reading a record body and checking its text limits (413) before any handler runs."""

    def checked(
        body: Annotated[kind, Body(openapi_examples={"示例": {"summary": "示例", "value": example}})],  # type: ignore[valid-type]
        settings: SettingsDep,
    ) -> R:
        check_records([body], [None], max_chars=settings.max_text_chars, source="body")
        return body

    return checked


AchievementBody = Annotated[Achievement, Depends(_checked_body(Achievement, ACHIEVEMENT_EXAMPLE))]
DemandBody = Annotated[Demand, Depends(_checked_body(Demand, DEMAND_EXAMPLE))]
