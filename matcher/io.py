"""Reading records from CSV, JSONL and Excel files: every bad row is found before any work starts."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

from .errors import InputError, Problem
from .records import Record, split_valid, validate_rows

R = TypeVar("R", bound=Record)

FORMATS = (".csv", ".jsonl", ".xlsx")

HEADER_ALIASES = {
    "编号": "id",
    "id": "id",
    "ID": "id",
    "成果编号": "id",
    "需求编号": "id",
    "标题": "title",
    "名称": "title",
    "成果名称": "title",
    "需求名称": "title",
    "项目名称": "title",
    "描述": "description",
    "简介": "description",
    "内容": "description",
    "成果简介": "description",
    "需求描述": "description",
    "技术需求描述": "description",
    "关键词": "keywords",
    "关键字": "keywords",
    "领域": "field",
    "技术领域": "field",
    "行业领域": "field",
    "地区": "region",
    "所在地区": "region",
    "区域": "region",
    "所在地": "region",
    "成熟度": "maturity",
    "技术成熟度": "maturity",
    "成熟度要求": "maturity",
    "合作方式": "cooperation_modes",
    "转化方式": "cooperation_modes",
    "单位": "owner",
    "成果单位": "owner",
    "完成单位": "owner",
    "所有者": "owner",
    "持有单位": "owner",
    "企业": "company",
    "企业名称": "company",
    "需求单位": "company",
    "公司": "company",
    "单位类型": "owner_type",
    "主体类型": "owner_type",
    "专利号": "patent_numbers",
    "专利": "patent_numbers",
    "价格": "price",
    "报价": "price",
    "转让价格": "price",
    "参考价格": "price",
    "预算": "budget",
    "预算金额": "budget",
    "联系方式": "contact",
    "联系人": "contact",
    "截止日期": "deadline",
    "截止时间": "deadline",
}
"""Chinese (and other common) column headers → record field names; unknown headers pass through."""


def canonical(row: dict[str, Any]) -> dict[str, Any]:
    """Rename known headers to field names; blank cells become missing values."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key is None:
            continue
        name = HEADER_ALIASES.get(str(key).strip(), str(key).strip())
        out[name] = None if isinstance(value, str) and not value.strip() else value
    return out


def _jsonl_rows(path: Path) -> Iterator[tuple[int, Any]]:
    with open(path, encoding="utf-8-sig") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as error:
                yield number, Problem(str(path), number, "", f"not valid JSON ({error.msg} at column {error.colno})")


def _csv_rows(path: Path) -> Iterator[tuple[int, Any]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle, strict=True)
        try:
            for row in reader:
                if None in row:
                    columns = len(reader.fieldnames or [])
                    yield (
                        reader.line_num,
                        Problem(str(path), reader.line_num, "", f"more cells than the header's {columns} columns"),
                    )
                    continue
                yield reader.line_num, row
        except csv.Error as error:
            raise InputError.single(str(path), f"broken CSV ({error})", row=reader.line_num) from None


def _xlsx_rows(path: Path, sheet: str | None) -> Iterator[tuple[int, Any]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for a file that is not a workbook
        raise InputError.single(str(path), f"not a readable .xlsx workbook ({error})") from None
    if sheet is not None and sheet not in book.sheetnames:
        raise InputError.single(str(path), f"no sheet named {sheet!r} (sheets: {', '.join(book.sheetnames)})")
    rows = (book[sheet] if sheet else book.worksheets[0]).iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        return
    names = [str(h).strip() if h is not None else "" for h in header]
    for number, values in enumerate(rows, start=2):
        if values is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        yield number, {name: value for name, value in zip(names, values, strict=False) if name}


def raw_rows(path: str | Path, *, sheet: str | None = None) -> Iterator[tuple[int, Any]]:
    """``(row number, canonical mapping)`` for each row of a CSV, JSONL or XLSX file.

    A row that cannot even be parsed comes as a :class:`Problem` in place of the mapping.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InputError.single(str(path), f"unknown file type {suffix or '(none)'!r}: use one of {', '.join(FORMATS)}")
    if not path.is_file():
        raise InputError.single(str(path), "file not found")
    try:
        if suffix == ".jsonl":
            source = _jsonl_rows(path)
        elif suffix == ".csv":
            source = _csv_rows(path)
        else:
            source = _xlsx_rows(path, sheet)
        for number, row in source:
            yield number, canonical(row) if isinstance(row, dict) else row
    except UnicodeDecodeError:
        raise InputError.single(str(path), "not UTF-8 text (save the file as UTF-8)") from None


def read_records(path: str | Path, kind: type[R], *, sheet: str | None = None) -> list[R]:
    """All records of a file, or one :class:`InputError` naming every bad row and field."""
    records, problems = read_valid(path, kind, sheet=sheet)
    if problems:
        raise InputError(problems)
    return records


def read_valid(path: str | Path, kind: type[R], *, sheet: str | None = None) -> tuple[list[R], list[Problem]]:
    """The good records of a file and the problems of its bad rows (``--skip-invalid``).

    File-level errors (missing file, broken CSV quoting, wrong sheet) still raise :class:`InputError`.
    """
    records, problems = split_valid(raw_rows(path, sheet=sheet), kind, str(path))
    if not records and not problems:
        problems = [Problem(str(path), None, "", "contains no records")]
    return records, problems


def scan_records(path: str | Path, kind: type[R], *, sheet: str | None = None) -> tuple[int, list[Problem]]:
    """How many good records a file holds and the problems of its bad rows, keeping no records.

    The validation pass of a streamed run: nothing is held but ids, so any file size fits.
    """
    count, problems = 0, []
    for item in validate_rows(raw_rows(path, sheet=sheet), kind, str(path)):
        if isinstance(item, Problem):
            problems.append(item)
        else:
            count += 1
    if not count and not problems:
        problems = [Problem(str(path), None, "", "contains no records")]
    return count, problems


def iter_valid(path: str | Path, kind: type[R], *, sheet: str | None = None) -> Iterator[R]:
    """The good records of a file, read as they are needed (bad rows skipped: see :func:`scan_records`)."""
    for item in validate_rows(raw_rows(path, sheet=sheet), kind, str(path)):
        if not isinstance(item, Problem):
            yield item


def rows_at(path: str | Path, numbers: set[int], *, sheet: str | None = None) -> dict[int, dict[str, Any]]:
    """The raw rows with these numbers (to show rejected rows as they were written)."""
    return {n: row for n, row in raw_rows(path, sheet=sheet) if n in numbers and isinstance(row, dict)}
