"""The two tables, one per kind of record (columns named as the record's fields); lists are JSON."""

from __future__ import annotations

from sqlalchemy import JSON, Column, Date, DateTime, Float, MetaData, String, Table, Text

metadata = MetaData()


def _record_columns() -> list[Column]:  # type: ignore[type-arg]
    """Columns every record has (matcher.records.Record); a fresh set for each table."""
    return [
        Column("id", String(128), primary_key=True),
        Column("title", String(500), nullable=False),
        Column("description", Text, nullable=False),
        Column("keywords", JSON, nullable=False),
        Column("field", String(100), nullable=False, index=True),
        Column("region", String(100), nullable=False, index=True),
        Column("maturity", String(10), nullable=True, index=True),
        Column("cooperation_modes", JSON, nullable=False),
        Column("owner_type", String(50), nullable=False),
        Column("contact", String(200), nullable=False),
        Column("updated_at", DateTime(timezone=True), nullable=False),
    ]


achievements = Table(
    "achievements",
    metadata,
    *_record_columns(),
    Column("owner", String(200), nullable=False),
    Column("patent_numbers", JSON, nullable=False),
    Column("price", Float, nullable=True),
)

demands = Table(
    "demands",
    metadata,
    *_record_columns(),
    Column("company", String(200), nullable=False),
    Column("budget", Float, nullable=True),
    Column("deadline", Date, nullable=True),
)
