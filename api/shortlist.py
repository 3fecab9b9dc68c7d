"""A broker's shortlist as a file for both sides: one row per (demand, achievement) pair, as XLSX or CSV.

Pure formatting (no HTTP): the columns are defined once here, so the XLSX and CSV files always agree.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Literal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from pydantic import BaseModel, Field

from matcher import Achievement, Demand

ExportFormat = Literal["xlsx", "csv"]
Cell = str | float | None


class ShortlistPair(BaseModel):
    """One ticked result: both records, and what the page showed about the pair."""

    demand: Demand
    achievement: Achievement
    score: float | None = Field(None, allow_inf_nan=False, description="the match score shown on the page")
    reasons: list[str] = Field(default_factory=list, max_length=20, description="e.g. 同一地区: 湖北")
    terms: list[str] = Field(default_factory=list, max_length=50, description="shared terms, largest part first")


class Shortlist(BaseModel):
    pairs: list[ShortlistPair] = Field(min_length=1, description="the rows of the file, in this order")


def _money(value: float | None) -> Cell:
    return "面议" if value is None else value


def _modes(record: Achievement | Demand) -> str:
    return "、".join(mode.value for mode in record.cooperation_modes)


def _maturity(record: Achievement | Demand) -> str:
    return record.maturity.value if record.maturity is not None else ""


COLUMNS: list[tuple[str, Callable[[ShortlistPair], Cell]]] = [
    ("匹配分", lambda p: None if p.score is None else round(p.score, 4)),
    ("需求编号", lambda p: p.demand.id),
    ("需求标题", lambda p: p.demand.title),
    ("需求企业", lambda p: p.demand.company),
    ("需求地区", lambda p: p.demand.region),
    ("需要成熟度（至少）", lambda p: _maturity(p.demand)),
    ("需要的合作方式", lambda p: _modes(p.demand)),
    ("预算（万元）", lambda p: _money(p.demand.budget)),
    ("成果编号", lambda p: p.achievement.id),
    ("成果标题", lambda p: p.achievement.title),
    ("成果单位", lambda p: p.achievement.owner),
    ("成果地区", lambda p: p.achievement.region),
    ("成果成熟度", lambda p: _maturity(p.achievement)),
    ("可提供的合作方式", lambda p: _modes(p.achievement)),
    ("报价（万元）", lambda p: _money(p.achievement.price)),
    ("匹配理由", lambda p: "；".join(p.reasons)),
    ("共同术语", lambda p: "、".join(p.terms)),
    ("成果联系人", lambda p: p.achievement.contact),
    ("需求联系人", lambda p: p.demand.contact),
]
"""(header, value) for every column, in order."""

HEADERS = [header for header, _ in COLUMNS]
MEDIA_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "csv": "text/csv"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def rows(shortlist: Shortlist) -> list[list[Cell]]:
    """The values of every pair, columns as :data:`COLUMNS` (without the header)."""
    return [[value(pair) for _, value in COLUMNS] for pair in shortlist.pairs]


def _csv_cell(value: Cell) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value or ""


def to_csv(shortlist: Shortlist) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel opens the Chinese text right.

    Text that a spreadsheet would run as a formula (=, +, -, @ first) is prefixed with ' (CSV injection).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    for row in rows(shortlist):
        writer.writerow([_csv_cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(shortlist: Shortlist) -> bytes:
    """One sheet 候选清单: bold frozen header, filters, readable widths; every text cell stays text."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "候选清单"
    sheet.append(HEADERS)
    for values in rows(shortlist):
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in values])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, header in zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", HEADERS, strict=False):
        sheet.column_dimensions[letter].width = 36 if header in ("需求标题", "成果标题", "匹配理由", "共同术语") else 14
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export(shortlist: Shortlist, format: ExportFormat) -> bytes:
    return to_xlsx(shortlist) if format == "xlsx" else to_csv(shortlist)
