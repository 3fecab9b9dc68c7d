"""The ``techmatch`` command: the engine's commands (matcher.cli) plus ``serve``, which starts the API."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from matcher.cli import app, err, friendly, out
from matcher.errors import MatcherError
from matcher.io import read_records
from matcher.records import Achievement, Demand
from matcher.samples import SAMPLE_DIR
from matcher.snapshot import usable_folder

from .config import Settings, get_settings
from .db import create_schema, make_engine
from .repository import SqlRepository


def load_sample(settings: Settings, folder: Path) -> dict[str, int]:
    """Store the sample records, upserting by id: loading again (a restart) never duplicates them."""
    achievements = read_records(folder / "achievements.jsonl", Achievement)
    demands = read_records(folder / "demands.jsonl", Demand)
    engine = make_engine(settings.database_url)
    try:
        create_schema(engine)
        repo = SqlRepository(engine)
        repo.upsert_many(kind=Achievement, records=achievements)
        repo.upsert_many(kind=Demand, records=demands)
    finally:
        engine.dispose()
    return {"achievements": len(achievements), "demands": len(demands)}


class AnnouncingServer(uvicorn.Server):
    """uvicorn's server that prints ``message`` once it listens, after uvicorn's own lines: the last word is ours."""

    def __init__(self, config: uvicorn.Config, message: str) -> None:
        super().__init__(config)
        self.message = message

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            out.print(self.message, highlight=False, soft_wrap=True)


@app.command()
@friendly
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="port to listen on")] = 8000,
    sample: Annotated[bool, typer.Option("--load-sample", help="store the bundled sample data first (by id)")] = False,
    index_dir: Annotated[
        Path | None,
        typer.Option(help="save the fitted index here and load it at the next start (TECHMATCH_INDEX_DIR)"),
    ] = None,
) -> None:
    """Start the matching service (settings from TECHMATCH_* environment variables)."""
    from .main import create_app

    try:
        settings = get_settings()
        if index_dir is not None:
            settings = settings.model_copy(update={"index_dir": index_dir})
        if settings.index_dir is not None:
            usable_folder(settings.index_dir)
        database = make_url(settings.database_url).render_as_string(hide_password=True)
        if sample:
            counts = load_sample(settings, SAMPLE_DIR)
            out.print(f"sample data: {counts['achievements']} achievements, {counts['demands']} demands in {database}")
    except (ValidationError, SQLAlchemyError, MatcherError) as error:
        err.print(f"[bold red]error:[/] {error}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    base = f"http://{host}:{port}"
    out.print(
        f"techmatch: API docs at {base}/docs, page at {base}/ (database {database})", highlight=False, soft_wrap=True
    )
    page = f"open the page for brokers (在浏览器中打开): {base}/"
    AnnouncingServer(uvicorn.Config(create_app(settings), host=host, port=port), page).run()


def main() -> None:
    app()
