"""Bulk import bodies: a JSON list, or a CSV/JSONL/XLSX file (multipart upload or raw body).

Files go through :func:`matcher.io.raw_rows` and every body through :func:`matcher.records.parse_records`,
so a bulk import reports every bad row exactly as ``techmatch match`` does for a file.
"""

from __future__ import annotations

import dataclasses
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any, TypeVar

from fastapi import Request
from starlette.datastructures import UploadFile

from matcher.errors import InputError, Problem
from matcher.io import raw_rows
from matcher.records import Achievement, Demand, parse_records

from .errors import ApiError
from .limits import check_batch, check_records

R = TypeVar("R", Achievement, Demand)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RAW_TYPES = {"text/csv": ".csv", "application/x-ndjson": ".jsonl", "application/jsonl": ".jsonl", XLSX: ".xlsx"}


@dataclass(frozen=True)
class Upload:
    """A bulk body as received: its bytes, the file suffix that says how to read them, and its name."""

    content: bytes
    suffix: str
    source: str


class UnsupportedType(ApiError):
    status = 415


async def read_upload(request: Request) -> Upload:
    """The bulk body, whatever way it came; a multipart upload must be in the form field ``file``."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json":
        return Upload(await request.body(), ".json", "body")
    if content_type in RAW_TYPES:
        return Upload(await request.body(), RAW_TYPES[content_type], "body")
    if content_type == "multipart/form-data":
        async with request.form() as form:
            file = form.get("file")
            if not isinstance(file, UploadFile):
                raise InputError.single("body", "is required: a .csv, .jsonl or .xlsx file", field="file")
            name = PurePath(file.filename or "upload").name
            return Upload(await file.read(), PurePath(name).suffix.lower(), name)
    raise UnsupportedType(
        f"content type {content_type or '(none)'!r}: send application/json (a list of records), "
        "multipart/form-data (field 'file'), text/csv or the .xlsx type"
    )


def _json_rows(upload: Upload) -> list[tuple[int | None, Any]]:
    try:
        data = json.loads(upload.content)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError.single(upload.source, f"not valid JSON ({error})") from None
    if not isinstance(data, list):
        raise InputError.single(upload.source, f"expected a JSON list of records, got {type(data).__name__}")
    return list(enumerate(data, start=1))


def _file_rows(upload: Upload) -> list[tuple[int | None, Any]]:
    """Rows of an uploaded file; problems name the upload, not the temporary copy."""

    def renamed(problem: Problem) -> Problem:
        return dataclasses.replace(problem, source=upload.source)

    with tempfile.TemporaryDirectory(prefix="techmatch-upload-") as folder:
        path = Path(folder) / f"upload{upload.suffix}"
        path.write_bytes(upload.content)
        try:
            rows = list(raw_rows(path))
        except InputError as error:
            raise InputError([renamed(p) for p in error.problems]) from None
    return [(n, renamed(row) if isinstance(row, Problem) else row) for n, row in rows]


def parse_upload(upload: Upload, kind: type[R], *, max_batch: int, max_chars: int) -> list[R]:
    """Every record of the body, or one error listing every bad row (413 for size, 422 for values)."""
    rows = _json_rows(upload) if upload.suffix == ".json" else _file_rows(upload)
    check_batch(len(rows), max_batch=max_batch)
    records = parse_records(rows, kind, upload.source)
    if not records:
        raise InputError.single(upload.source, "contains no records")
    check_records(records, [row for row, _ in rows], max_chars=max_chars, source=upload.source)
    return records
