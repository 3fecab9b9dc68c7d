"""Pairs files (CSV, JSONL, XLSX, Parquet) written row by row into a temporary file beside the target,
moved into place only when the whole run succeeded: an interrupted run leaves no file that looks complete."""

from __future__ import annotations

import csv
import json
import os
import uuid
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, Protocol

from .errors import InputError, MatcherError, Problem

PAIR_COLUMNS = (
    "direction",
    "demand_id",
    "rank",
    "achievement_id",
    "score",
    "shared_terms",
    "reasons",
    "demand_title",
    "achievement_title",
)
"""One row per pair. ``direction`` says which side was the query (``demand`` or ``achievement``)."""

OUTPUT_FORMATS = (".csv", ".jsonl", ".xlsx", ".parquet")
XLSX_MAX_ROWS = 1_048_576
"""Excel's sheet limit, header included."""

REJECTED_COLUMNS = ("file", "row", "field", "reason", "record")

Row = dict[str, Any]


def flat(row: Row) -> Row:
    """A pair row with lists as text, for spreadsheets: ``term:weight`` joined by 、, reasons by ；."""
    terms = "、".join(f"{t['term']}:{t['weight']:.4f}" for t in row["shared_terms"])
    return {**row, "shared_terms": terms, "reasons": "；".join(row["reasons"])}


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path in ``path``'s folder, moved onto ``path`` if the block ends normally, else removed.

    The same folder makes the final move atomic; the hidden ``.NAME.*.part`` name never looks finished.
    """
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.part")
    try:
        yield tmp
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, path)


def check_output(path: Path, formats: Sequence[str], what: str) -> None:
    """Fail before any work on an output that cannot be written (unknown type, missing folder)."""
    if path.suffix.lower() not in formats:
        raise InputError.single(
            str(path), f"unknown {what} type {path.suffix or '(none)'!r}: use one of {', '.join(formats)}"
        )
    if not path.parent.is_dir():
        raise InputError.single(str(path), f"folder {path.parent} does not exist")
    if path.suffix.lower() == ".parquet":
        _pyarrow()


def _pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise MatcherError("Parquet output needs pyarrow: pip install 'techmatch[batch]'") from None
    return pyarrow


class PairWriter(Protocol):
    def __init__(self, path: Path) -> None: ...
    def write(self, rows: Sequence[Row]) -> None: ...
    def close(self) -> None: ...


class _Csv:
    def __init__(self, path: Path) -> None:
        self.file = open(path, "w", encoding="utf-8-sig", newline="")  # BOM: Excel then reads Chinese right
        self.writer = csv.DictWriter(self.file, PAIR_COLUMNS)
        self.writer.writeheader()

    def write(self, rows: Sequence[Row]) -> None:
        self.writer.writerows(flat(row) for row in rows)

    def close(self) -> None:
        self.file.close()


class _Jsonl:
    def __init__(self, path: Path) -> None:
        self.file = open(path, "w", encoding="utf-8")

    def write(self, rows: Sequence[Row]) -> None:
        self.file.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)

    def close(self) -> None:
        self.file.close()


class _Xlsx:
    def __init__(self, path: Path) -> None:
        from openpyxl import Workbook

        self.path = path
        self.book = Workbook(write_only=True)  # streams rows to disk instead of holding cells
        self.sheet = self.book.create_sheet("pairs")
        self.sheet.append(PAIR_COLUMNS)

    def write(self, rows: Sequence[Row]) -> None:
        for row in map(flat, rows):
            self.sheet.append([row[c] for c in PAIR_COLUMNS])

    def close(self) -> None:
        self.book.save(self.path)


class _Parquet:
    def __init__(self, path: Path) -> None:
        pa = _pyarrow()
        term = pa.struct([("term", pa.string()), ("weight", pa.float64())])
        types = {
            "rank": pa.int32(),
            "score": pa.float64(),
            "shared_terms": pa.list_(term),
            "reasons": pa.list_(pa.string()),
        }
        self.schema = pa.schema([(c, types.get(c, pa.string())) for c in PAIR_COLUMNS])
        self.writer = pa.parquet.ParquetWriter(path, self.schema)
        self.table = pa.Table

    def write(self, rows: Sequence[Row]) -> None:
        if rows:
            self.writer.write_table(self.table.from_pylist(list(rows), schema=self.schema))

    def close(self) -> None:
        self.writer.close()


_WRITERS: dict[str, type[PairWriter]] = {".csv": _Csv, ".jsonl": _Jsonl, ".xlsx": _Xlsx, ".parquet": _Parquet}


@contextmanager
def pairs_writer(path: Path) -> Iterator[PairWriter]:
    """Write pairs with ``write(rows)``; the file appears at ``path`` only when the block completes."""
    with atomic_path(path) as tmp, ExitStack() as stack:
        writer = _WRITERS[path.suffix.lower()](tmp)
        stack.callback(writer.close)
        yield writer


def write_rejected(path: Path, problems: Sequence[Problem], raw: dict[tuple[str, int], Row]) -> None:
    """The rejected rows with their reasons (one line per problem) and the row as it was read, as CSV."""
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(REJECTED_COLUMNS)
        for p in problems:
            record = raw.get((p.source, p.row or 0))
            data = json.dumps(record, ensure_ascii=False, default=str) if record is not None else ""
            writer.writerow([p.source, p.row if p.row is not None else "", p.field, p.message, data])
