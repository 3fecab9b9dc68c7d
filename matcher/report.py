"""Shortlists for brokers (``--report``): each demand (or achievement), then its best counterparts
with owner, region, maturity, modes, score and reasons; HTML to print or XLSX to sort and filter."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any, Protocol

from .records import Achievement, Demand, Record

REPORT_FORMATS = (".html", ".htm", ".xlsx")

_STYLE = """body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em;color:#222}
section{margin-bottom:2.5em;page-break-inside:avoid}h2{font-size:1.15em;margin:.2em 0}
.meta{color:#555}.none{color:#a00}table{border-collapse:collapse;width:100%;font-size:.9em}
th,td{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}th{background:#f2f2f2}
td.score{text-align:right;font-variant-numeric:tabular-nums}"""

_KIND = {True: ("需求", "成果"), False: ("成果", "需求")}
"""(query kind, counterpart kind), keyed by ``query_is_demand``."""


def party(record: Record) -> str:
    """Who holds the record: the owner of an achievement, the company of a demand."""
    return record.owner if isinstance(record, Achievement) else record.company if isinstance(record, Demand) else ""


def describe(record: Record) -> list[str]:
    """The facts a broker reads first, as short labelled strings (empty ones left out)."""
    facts = [party(record), record.region, record.field]
    if record.maturity is not None:
        facts.append(("成熟度要求 ≥ " if isinstance(record, Demand) else "成熟度 ") + record.maturity.value)
    if record.cooperation_modes:
        facts.append("合作方式 " + "、".join(m.value for m in record.cooperation_modes))
    money = record.budget if isinstance(record, Demand) else getattr(record, "price", None)
    if money is not None:
        facts.append(("预算 " if isinstance(record, Demand) else "报价 ") + f"{money:g} 万元")
    return [f for f in facts if f]


def _cells(row: dict[str, Any], other: Record | None) -> list[str]:
    """One counterpart's cells, in the order of :data:`HEADINGS`."""
    demand_query = row["direction"] == "demand"
    facts = ["", "", "", ""]
    if other is not None:
        maturity = other.maturity.value if other.maturity else ""
        facts = [party(other), other.region, maturity, "、".join(m.value for m in other.cooperation_modes)]
    return [
        str(row["rank"]),
        row["achievement_id"] if demand_query else row["demand_id"],
        row["achievement_title"] if demand_query else row["demand_title"],
        *facts,
        f"{row['score']:.3f}",
        "、".join(t["term"] for t in row["shared_terms"][:5]),
        "；".join(row["reasons"]),
    ]


HEADINGS = ("#", "编号", "标题", "单位", "地区", "成熟度", "合作方式", "得分", "共同词", "理由")
_SCORE = HEADINGS.index("得分")


class ReportWriter(Protocol):
    def add(
        self, query: Record, query_is_demand: bool, rows: Sequence[dict[str, Any]], others: Sequence[Record | None]
    ) -> None: ...
    def close(self) -> None: ...


class HtmlReport:
    """One section per query, streamed to the file as results arrive; every text is escaped."""

    def __init__(self, path: Path, title: str) -> None:
        self.file = open(path, "w", encoding="utf-8")
        self.file.write(
            f'<!doctype html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f"<style>{_STYLE}</style></head><body>\n<h1>{escape(title)}</h1>\n"
        )

    def add(
        self, query: Record, query_is_demand: bool, rows: Sequence[dict[str, Any]], others: Sequence[Record | None]
    ) -> None:
        kind, other_kind = _KIND[query_is_demand]
        out = [f"<section><h2>{kind} {escape(query.id)}：{escape(query.title or query.description[:40])}</h2>"]
        out.append(f'<p class="meta">{escape(" · ".join(describe(query)))}</p>')
        out.append(f"<p>{escape(query.description[:300])}</p>")
        if not rows:
            out.append(f'<p class="none">没有匹配的{other_kind}</p></section>\n')
            self.file.write("".join(out))
            return
        out.append("<table><thead><tr>" + "".join(f"<th>{h}</th>" for h in HEADINGS) + "</tr></thead><tbody>")
        for row, other in zip(rows, others, strict=True):
            cells = [escape(c) for c in _cells(row, other)]
            tds = [f'<td class="score">{c}</td>' if n == _SCORE else f"<td>{c}</td>" for n, c in enumerate(cells)]
            out.append("<tr>" + "".join(tds) + "</tr>")
        out.append("</tbody></table></section>\n")
        self.file.write("".join(out))

    def close(self) -> None:
        self.file.write("</body></html>\n")
        self.file.close()


class XlsxReport:
    """One row per pair with the query's facts repeated, so brokers can sort and filter in Excel."""

    def __init__(self, path: Path, title: str) -> None:
        from openpyxl import Workbook

        self.path = path
        self.book = Workbook(write_only=True)
        self.sheet = self.book.create_sheet(title[:31])
        self.sheet.append(["类型", "查询编号", "查询标题", "查询概况", *HEADINGS])

    def add(
        self, query: Record, query_is_demand: bool, rows: Sequence[dict[str, Any]], others: Sequence[Record | None]
    ) -> None:
        head = [_KIND[query_is_demand][0], query.id, query.title or query.description[:40], " · ".join(describe(query))]
        if not rows:
            self.sheet.append([*head, "", "", f"没有匹配的{_KIND[query_is_demand][1]}"])
        for row, other in zip(rows, others, strict=True):
            cells: list[Any] = _cells(row, other)
            cells[0], cells[_SCORE] = row["rank"], round(row["score"], 4)
            self.sheet.append(head + cells)

    def close(self) -> None:
        self.book.save(self.path)


def open_report(path: Path, tmp: Path, title: str = "techmatch 对接清单") -> ReportWriter:
    """A report writer by ``path``'s type, writing into ``tmp`` (moved into place by the caller)."""
    return XlsxReport(tmp, title) if path.suffix.lower() == ".xlsx" else HtmlReport(tmp, title)
