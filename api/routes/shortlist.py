"""The broker's shortlist as a file to send on: ``POST /shortlist/export?format=xlsx|csv``."""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from ..deps import ReadAccess, SettingsDep
from ..errors import ERROR_RESPONSES
from ..limits import check_batch
from ..shortlist import MEDIA_TYPES, ExportFormat, Shortlist, export

router = APIRouter(prefix="/shortlist", tags=["shortlist"], responses=ERROR_RESPONSES, dependencies=[ReadAccess])

FILE_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "the file, one row per pair, headers in Chinese",
        "content": {media: {"schema": {"type": "string", "format": "binary"}} for media in MEDIA_TYPES.values()},
    }
}


@router.post("/export", response_class=Response, responses=FILE_RESPONSE, summary="The shortlist as XLSX or CSV")
def export_shortlist(
    shortlist: Shortlist,
    settings: SettingsDep,
    format: Annotated[ExportFormat, Query(description="xlsx (Excel) or csv (UTF-8 with BOM)")] = "xlsx",
) -> Response:
    """Nothing is stored: the pairs posted (records and what the page showed) come back as a file."""
    check_batch(len(shortlist.pairs), max_batch=settings.max_batch)
    name = f"techmatch-shortlist-{date.today():%Y%m%d}.{format}"
    return Response(
        export(shortlist, format),
        media_type=MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
