"""``/``: the brokers' web page (plain HTML, CSS and JS from ``api/static``; nothing fetched from the network).

The page's choices (fields, provinces, stages, cooperation modes) come from the engine's own lists,
written into the HTML here, so the page and the API never disagree on what a valid value is.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from matcher import CooperationMode, Maturity
from matcher.records import FIELDS
from matcher.regions import PROVINCES
from matcher.scoring import EXPANDED, LABELS

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

router = APIRouter(include_in_schema=False)


def page_options() -> dict[str, object]:
    return {
        "fields": list(FIELDS),
        "provinces": list(PROVINCES),
        "maturities": [m.value for m in Maturity],
        "modes": [m.value for m in CooperationMode],
        "labels": list(LABELS),
        "expanded": EXPANDED,
    }


@lru_cache(maxsize=1)
def page() -> str:
    """index.html with the options inlined (``<`` escaped, so no value can close the script element)."""
    options = json.dumps(page_options(), ensure_ascii=False).replace("<", "\\u003c")
    return (STATIC_DIR / "index.html").read_text(encoding="utf-8").replace("{{options}}", options)


@router.get("/", response_class=HTMLResponse)
def home() -> str:
    return page()


class _Revalidated(StaticFiles):
    """Static files the browser must revalidate (ETag, 304) before reuse: an upgrade never meets stale JS."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = "no-cache"
        return response


def mount_static(app: FastAPI) -> None:
    """Serve the page's CSS and JS modules under ``/static``."""
    app.mount("/static", _Revalidated(directory=STATIC_DIR), name="static")
