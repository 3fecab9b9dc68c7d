"""Size limits (413: body, text, batch) and text the database cannot hold (422), checked before storing."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from matcher.errors import InputError, Problem
from matcher.records import Record

from .errors import ErrorPublic, TooLarge


def _texts(record: Record) -> Iterator[tuple[str, str]]:
    for name, value in record:
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str):
                yield name, item


def check_texts(texts: Sequence[tuple[int | None, str, str]], *, max_chars: int, source: str) -> None:
    """Every ``(row, field, text)`` fits: else :class:`TooLarge` (413) or :class:`InputError` (422), all listed."""
    too_long: list[Problem] = []
    unstorable: list[Problem] = []
    for row, field, text in texts:
        if len(text) > max_chars:
            too_long.append(
                Problem(source, row, field, f"has {len(text)} characters; at most {max_chars} are accepted")
            )
        if "\x00" in text:  # PostgreSQL cannot store it
            unstorable.append(Problem(source, row, field, "contains a NUL character (\\u0000)"))
    if too_long:
        raise TooLarge(f"text longer than {max_chars} characters (TECHMATCH_MAX_TEXT_CHARS)", too_long)
    if unstorable:
        raise InputError(unstorable)


def check_records(records: Sequence[Record], rows: Sequence[int | None], *, max_chars: int, source: str) -> None:
    """Check every text field of every record (``rows`` are their row numbers, for the answer)."""
    texts = [(row, field, text) for record, row in zip(records, rows, strict=True) for field, text in _texts(record)]
    check_texts(texts, max_chars=max_chars, source=source)


def check_batch(size: int, *, max_batch: int) -> None:
    if size > max_batch:
        raise TooLarge(f"{size} records in one batch; at most {max_batch} (TECHMATCH_MAX_BATCH)")


class BodyLimit:
    """ASGI middleware: refuse bodies over ``max_bytes`` (declared or streamed) with a JSON 413."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await JSONResponse(ErrorPublic(detail=self.detail).model_dump(), status_code=413)(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                # read inside a route; FastAPI passes HTTP exceptions through body parsing untouched
                raise HTTPException(status_code=413, detail=self.detail)
            return message

        await self.app(scope, counted, send)

    @property
    def detail(self) -> str:
        return f"request body over {self.max_bytes} bytes (TECHMATCH_MAX_BODY_BYTES)"
