"""The FastAPI application: settings, storage and the live index are set up in the lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio.to_thread
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi

from matcher import Achievement, ChineseTokenizer, Demand, Matcher, __version__
from matcher.snapshot import Snapshots

from .config import Settings, get_settings
from .db import create_schema, make_engine
from .errors import install_error_handlers
from .limits import BodyLimit
from .live import LiveIndex
from .repository import SqlRepository
from .routes import achievements, admin, demands, drafts, home, match, shortlist
from .schemas import READ_SCHEME, WRITE_SCHEME
from .store import Store

DESCRIPTION = """
Post a 技术需求 (demand) and get the ranked 科技成果 (achievements) back with the reasons,
or the reverse. Writes need the header `X-API-Key` when `TECHMATCH_API_KEY` is set.
Every error answers `{"detail": ..., "problems": [{"source", "row", "field", "message"}]}`.
"""


def create_app(settings: Settings | None = None, *, tokenizer: ChineseTokenizer | None = None) -> FastAPI:
    """The service; ``tokenizer`` lets tests share one (building one takes a fraction of a second)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.threads  # the routes are plain defs
        engine = make_engine(settings.database_url)
        create_schema(engine)
        repo = SqlRepository(engine)
        template = Matcher(tokenizer=tokenizer)
        snapshots = Snapshots(settings.index_dir, template) if settings.index_dir else None
        live = LiveIndex(template, lambda: (repo.all(kind=Achievement), repo.all(kind=Demand)), snapshots)
        app.state.repo, app.state.live, app.state.store = repo, live, Store(repo, live)
        try:
            yield
        finally:
            live.wait(timeout=60)
            engine.dispose()

    app = FastAPI(title="techmatch", version=__version__, description=DESCRIPTION, lifespan=lifespan)
    app.state.settings = settings
    install_error_handlers(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    if settings.cors_origins:  # outermost, so that error answers carry CORS headers too
        app.add_middleware(
            CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["*"], allow_headers=["*"]
        )
    for module in (achievements, demands, drafts, match, shortlist, admin, home):
        app.include_router(module.router)
    home.mount_static(app)
    app.openapi = lambda: openapi_for(app, settings)  # type: ignore[method-assign]
    return app


def openapi_for(app: FastAPI, settings: Settings) -> dict[str, Any]:
    """The schema, saying which operations need X-API-Key under these settings (none when no key is set)."""
    if app.openapi_schema is None:
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        required = {WRITE_SCHEME} if settings.api_key is not None else set()
        if required and settings.protect_reads:
            required.add(READ_SCHEME)
        for operation in (op for path in schema["paths"].values() for op in path.values()):
            security = [s for s in operation.pop("security", []) if set(s) <= required]
            if security:  # one requirement: the write key where an operation has both
                operation["security"] = [next((s for s in security if WRITE_SCHEME in s), security[0])]
        schemes = schema.get("components", {}).get("securitySchemes", {})
        for name in set(schemes) - required:
            del schemes[name]
        app.openapi_schema = schema
    return app.openapi_schema
