"""The routes achievements and demands share: list, get, replace, delete and bulk import.

Handlers are built per kind by :func:`record_router`; each kind's module adds its own create
and matches routes. No ``from __future__ import annotations`` here: FastAPI reads the
annotations of these closures at definition time.
"""

from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Response

from matcher import Achievement, Demand
from matcher.errors import InputError

from ..deps import IdPath, ReadAccess, RepoDep, SettingsDep, StoreDep, WriteAccess
from ..errors import ERROR_RESPONSES
from ..repository import SqlRepository
from ..schemas import BulkResult, Page, RecordQuery
from ..store import not_found
from ..upload import XLSX, Upload, parse_upload, read_upload

Kind = type[Achievement] | type[Demand]
R = TypeVar("R", Achievement, Demand)


def bulk_body(kind: Kind) -> dict[str, Any]:
    """The OpenAPI request body of ``:bulk`` (read by hand, so that CSV and XLSX can come too)."""
    record = {"$ref": f"#/components/schemas/{kind.__name__}"}
    upload = {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}, "required": ["file"]}
    text = {"type": "string"}
    return {
        "requestBody": {
            "required": True,
            "description": "a JSON list of records, or a .csv/.jsonl/.xlsx file; all are stored or none",
            "content": {
                "application/json": {"schema": {"type": "array", "items": record}},
                "multipart/form-data": {"schema": upload},
                "text/csv": {"schema": text},
                XLSX: {"schema": {"type": "string", "format": "binary"}},
            },
        }
    }


def stored(repo: SqlRepository, kind: type[R], id: str) -> R:
    """The stored record, or a 404 naming the id."""
    record = repo.get(kind=kind, id=id)
    if record is None:
        raise not_found(kind, id)
    return record


def record_router(kind: type[R], body: Any) -> APIRouter:
    """List, get, replace, delete and bulk-import routes for one kind; ``body`` is its checked-body type."""
    name = f"{kind.__name__.lower()}s"
    router = APIRouter(prefix=f"/{name}", tags=[name], responses=ERROR_RESPONSES, dependencies=[ReadAccess])

    @router.get("", response_model=Page[kind], summary=f"List and search {name}")  # type: ignore[valid-type]
    def list_records(query: Annotated[RecordQuery, Depends()], repo: RepoDep) -> Page[Any]:
        records, count = repo.page(kind=kind, query=query)
        return Page[kind](data=records, count=count, page=query.page, page_size=query.page_size)  # type: ignore[valid-type,arg-type]

    @router.get("/{id}", response_model=kind, summary=f"One {kind.__name__.lower()}")
    def get_record(id: IdPath, repo: RepoDep) -> Any:
        return stored(repo, kind, id)

    @router.put("/{id}", response_model=kind, dependencies=[WriteAccess], summary="Replace a stored record")
    def replace_record(id: IdPath, record: body, store: StoreDep) -> Any:  # type: ignore[valid-type]
        if record.id != id:
            raise InputError.single("body", f"{record.id!r} differs from the id in the path ({id!r})", field="id")
        store.replace(record)
        return record

    @router.delete("/{id}", status_code=204, dependencies=[WriteAccess], summary="Delete a stored record")
    def delete_record(id: IdPath, store: StoreDep) -> Response:
        store.delete(kind, id)
        return Response(status_code=204)

    @router.post(":bulk", dependencies=[WriteAccess], openapi_extra=bulk_body(kind), summary="Import many, all or none")
    def bulk_import(
        upload: Annotated[Upload, Depends(read_upload)], store: StoreDep, settings: SettingsDep
    ) -> BulkResult:
        records = parse_upload(upload, kind, max_batch=settings.max_batch, max_chars=settings.max_text_chars)
        created, updated = store.import_many(kind, records)
        return BulkResult(created=created, updated=updated)

    return router
