import json
from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner

from matcher import Achievement
from matcher.cli import app
from tests.conftest import ACHIEVEMENTS, DEMANDS
from tests.matcher.test_cli import jsonl

runner = CliRunner()

HOSTILE = Achievement(
    id="a<9>",
    title="<script>alert('隔膜')</script>锂电池隔膜",
    description="锂电池隔膜 & 湿法工艺",
    owner="甲&乙<研究院>",
    region="湖北省武汉市",
    maturity="中试",
    cooperation_modes=["技术转让"],
)


def test_batch_command_writes_pairs_report_and_a_summary(tmp_path: Path) -> None:
    demands = jsonl(tmp_path / "d.jsonl", DEMANDS)
    achievements = jsonl(tmp_path / "a.jsonl", [*ACHIEVEMENTS, HOSTILE])
    out, report = tmp_path / "pairs.jsonl", tmp_path / "report.html"
    args = ["batch", "--demands", str(demands), "--achievements", str(achievements), "--out", str(out)]
    result = runner.invoke(app, [*args, "--top-k", "2", "--region", "湖北", "--report", str(report), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert "6 pairs for 3 queries" in result.output
    assert "━" not in result.output  # no progress bar when stderr is not a terminal
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {r["achievement_id"] for r in rows} <= {"a1", "a3", "a4", "a6", "a<9>"}  # a2 (Guangdong) filtered out
    html = report.read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;alert(&#x27;隔膜&#x27;)&lt;/script&gt;" in html
    assert "甲&amp;乙&lt;研究院&gt;" in html and "a&lt;9&gt;" in html
    assert html.count("<section>") == 3 and "同一地区: 湖北" in html and "求购锂电池隔膜生产技术" in html


def test_xlsx_report_for_the_reverse_direction(tmp_path: Path) -> None:
    demands = jsonl(tmp_path / "d.jsonl", DEMANDS)
    achievements = jsonl(tmp_path / "a.jsonl", ACHIEVEMENTS)
    report = tmp_path / "shortlist.xlsx"
    args = ["batch", "--demands", str(demands), "--achievements", str(achievements), "--out", str(tmp_path / "p.csv")]
    result = runner.invoke(app, [*args, "--direction", "achievement", "--top-k", "1", "--report", str(report)])
    assert result.exit_code == 0, result.output
    header, *rows = list(load_workbook(report, read_only=True).worksheets[0].iter_rows(values_only=True))
    assert header[:6] == ("类型", "查询编号", "查询标题", "查询概况", "#", "编号")
    by_query = {row[1]: row for row in rows}
    assert set(by_query) == {a.id for a in ACHIEVEMENTS}
    assert by_query["a6"][0] == "成果" and by_query["a6"][5] == "d3" and "襄阳" not in by_query["a6"][8]


def test_batch_command_reports_bad_rows_with_exit_2(tmp_path: Path) -> None:
    demands = tmp_path / "d.jsonl"
    demands.write_text(
        '{"id": "d1", "description": "隔膜", "maturity": "量产"}\n{"description": "没有编号"}\n'
        '{"id": "d3", "description": "化工废水COD深度处理"}\n',
        encoding="utf-8",
    )
    achievements = jsonl(tmp_path / "a.jsonl", ACHIEVEMENTS)
    out = tmp_path / "pairs.csv"
    args = ["batch", "--demands", str(demands), "--achievements", str(achievements), "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "row 1: field 'maturity': '量产' is not one of" in result.output
    assert "row 2: field 'id': is required" in result.output
    assert not out.exists()
    result = runner.invoke(app, [*args, "--skip-invalid"])
    assert result.exit_code == 0, result.output
    assert "2 problems in skipped rows" in result.output and (tmp_path / "pairs.rejected.csv").is_file()
    assert "pairs for 1 queries" in result.output and out.is_file()
