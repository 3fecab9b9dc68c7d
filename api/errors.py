"""The service's own errors and the one JSON shape every 4xx answer has: ``detail`` and ``problems``."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import cast

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from matcher.errors import InputError, MatcherError, Problem
from matcher.records import problems_of


class ApiError(Exception):
    """An error with its HTTP status; ``problems`` say where (row, field) when there is more than one."""

    status = 400

    def __init__(self, detail: str, problems: list[Problem] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.problems = problems or []


class NotFound(ApiError):
    status = 404


class Conflict(ApiError):
    status = 409


class TooLarge(ApiError):
    status = 413


class Unauthorized(ApiError):
    status = 401


class ProblemPublic(BaseModel):
    source: str
    row: int | None
    field: str
    message: str


class ErrorPublic(BaseModel):
    """Every error answer: a sentence, and one entry per bad value (row and field where known)."""

    detail: str
    problems: list[ProblemPublic] = []


ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorPublic, "description": description}
    for status, description in (
        (400, "Malformed request"),
        (401, "Missing or wrong X-API-Key"),
        (404, "Unknown id"),
        (409, "The id exists already"),
        (413, "Text, batch or body too large"),
        (415, "Unsupported content type"),
        (422, "Invalid value: each problem names its field (and row) and the reason"),
        (503, "Database unavailable"),
    )
}
"""Declared on every route so the OpenAPI schema documents what clients may receive."""


def _answer(
    status: int, detail: str, problems: Sequence[Problem] = (), headers: dict[str, str] | None = None
) -> JSONResponse:
    body = ErrorPublic(detail=detail, problems=[ProblemPublic(**dataclasses.asdict(p)) for p in problems])
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


def request_problems(error: RequestValidationError) -> list[Problem]:
    """FastAPI's errors as our problems: source is body/query/path, field the rest of the location."""
    problems = []
    for problem in problems_of(cast(ValidationError, error), "", None):
        source, _, field = problem.field.partition(".")
        problems.append(dataclasses.replace(problem, source=source, field=field))
    return problems


def install_error_handlers(app: FastAPI) -> None:
    """Translate domain and storage errors at the edge; no input reaches a 500."""

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, error: ApiError) -> JSONResponse:
        return _answer(error.status, error.detail, error.problems)

    @app.exception_handler(InputError)
    async def _input_error(_: Request, error: InputError) -> JSONResponse:
        more = f" (and {len(error.problems) - 1} more problems)" if len(error.problems) > 1 else ""
        return _answer(422, f"nothing was stored: {error.problems[0]}{more}", error.problems)

    @app.exception_handler(MatcherError)
    async def _matcher_error(_: Request, error: MatcherError) -> JSONResponse:
        return _answer(422, str(error))

    @app.exception_handler(RequestValidationError)
    async def _invalid_request(_: Request, error: RequestValidationError) -> JSONResponse:
        problems = request_problems(error)
        return _answer(422, "; ".join(str(p) for p in problems) or "invalid request", problems)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, error: StarletteHTTPException) -> JSONResponse:
        return _answer(error.status_code, str(error.detail), headers=getattr(error, "headers", None))

    @app.exception_handler(IntegrityError)
    async def _integrity(_: Request, error: IntegrityError) -> JSONResponse:
        return _answer(409, "a record with this id was written at the same time; retry")

    @app.exception_handler(DataError)
    async def _unstorable(_: Request, error: DataError) -> JSONResponse:
        """A value the database cannot take, e.g. NUL in a PostgreSQL text (from a path or query)."""
        return _answer(422, f"a value the database cannot store or search: {str(error.orig).splitlines()[0]}")

    @app.exception_handler(OperationalError)
    async def _database_down(_: Request, error: OperationalError) -> JSONResponse:
        return _answer(503, "database unavailable; retry later")
