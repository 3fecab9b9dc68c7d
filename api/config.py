"""Service settings: read from the environment (prefix ``TECHMATCH_``) in this one place only."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    """Everything an operator can set, e.g. ``TECHMATCH_DATABASE_URL=postgresql+psycopg://u:p@host/db``."""

    model_config = SettingsConfigDict(env_prefix="TECHMATCH_", extra="ignore")

    database_url: str = Field(
        default="sqlite:///techmatch.db",
        description="SQLAlchemy URL; the default is the file techmatch.db in the working folder",
    )
    index_dir: Path | None = Field(
        default=None,
        description="folder where the fitted index is saved and loaded from at start (memory-mapped, so worker "
        "processes share it); unset: the index is fitted in memory at every start",
    )
    api_key: SecretStr | None = Field(default=None, description="when set, writes need the header X-API-Key")
    protect_reads: bool = Field(default=False, description="when true (and api_key is set), reads need the key too")
    max_text_chars: int = Field(default=20_000, ge=1, description="longest text field accepted (413 above)")
    threads: int = Field(
        default=2,
        ge=1,
        description="requests a worker process computes at once (the rest wait their turn); more threads than "
        "cores only make CPU-bound matching requests contend for the interpreter",
    )
    max_batch: int = Field(default=1_000, ge=1, description="most records in one bulk import (413 above)")
    max_body_bytes: int = Field(default=16 * 1024 * 1024, ge=1024, description="largest request body (413 above)")
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="origins allowed by CORS, comma-separated; empty means no CORS headers"
    )

    @field_validator("api_key", mode="before")
    @classmethod
    def _blank_key_is_none(cls, value: Any) -> Any:
        """``TECHMATCH_API_KEY=`` (empty) means no key, not an empty key that anyone can send."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value


@lru_cache
def get_settings() -> Settings:
    """The process's settings, read once (tests pass their own ``Settings`` to ``create_app``)."""
    return Settings()
