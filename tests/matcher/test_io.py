import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from matcher import Achievement, Demand, InputError
from matcher.io import iter_valid, read_records, read_valid, rows_at, scan_records


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_with_chinese_headers(tmp_path: Path) -> None:
    path = write(
        tmp_path / "a.csv",
        "编号,标题,描述,关键词,领域,地区,成熟度,合作方式,价格\n"
        "1,隔膜技术,湿法锂电池隔膜,隔膜、湿法,新能源,湖北省武汉市,中试,技术转让;技术许可,面议\n",
    )
    [record] = read_records(path, Achievement)
    assert (record.id, record.title, record.maturity.value, record.price) == ("1", "隔膜技术", "中试", None)
    assert record.keywords == ["隔膜", "湿法"]


def test_jsonl_and_xlsx_read_the_same_records(tmp_path: Path) -> None:
    rows = [{"id": "d1", "title": "求购隔膜", "description": "需要湿法隔膜工艺", "maturity": "小试", "budget": 50}]
    jsonl = write(tmp_path / "d.jsonl", "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n\n")
    book = Workbook()
    sheet = book.active
    sheet.append(["编号", "标题", "描述", "成熟度", "预算"])
    sheet.append(["d1", "求购隔膜", "需要湿法隔膜工艺", "小试", 50])
    book.save(tmp_path / "d.xlsx")
    assert read_records(jsonl, Demand) == read_records(tmp_path / "d.xlsx", Demand)


def test_all_bad_rows_reported_together(tmp_path: Path) -> None:
    path = write(
        tmp_path / "bad.jsonl",
        '{"id": "a", "description": "ok", "maturity": "量产"}\n{not json\n{"id": "a", "description": "x"}\n{"id": "c"}\n',
    )
    with pytest.raises(InputError) as caught:
        read_records(path, Achievement)
    lines = str(caught.value).splitlines()
    assert len(lines) == 4
    assert lines[0].endswith("row 1: field 'maturity': '量产' is not one of 样品/小试/中试/产业化")
    assert "row 2: not valid JSON" in lines[1]
    assert "row 3: field 'id': duplicate id 'a'" in lines[2]
    assert lines[3].endswith("row 4: field 'description': is required")


def test_broken_csv_quoting_and_extra_cells(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="broken CSV"):
        read_records(write(tmp_path / "q.csv", 'id,description\n1,"unclosed\n'), Achievement)
    with pytest.raises(InputError, match="row 2: more cells than the header's 2 columns"):
        read_records(write(tmp_path / "x.csv", "id,description\n1,a,b\n"), Achievement)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.jsonl", None, "file not found"),
        ("records.txt", "x", "unknown file type '.txt'"),
        ("empty.jsonl", "\n", "contains no records"),
        ("latin1.csv", b"id,description\n1,\xe9t\xe9\n", "not UTF-8"),
        ("broken.xlsx", "not a workbook", "not a readable .xlsx workbook"),
    ],
)
def test_file_level_errors(tmp_path: Path, name: str, content: str | bytes | None, message: str) -> None:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        read_records(path, Achievement)


def test_wrong_sheet_names_the_sheets(tmp_path: Path) -> None:
    book = Workbook()
    book.active.title = "成果"
    book.save(tmp_path / "a.xlsx")
    with pytest.raises(InputError, match="no sheet named '需求' \\(sheets: 成果\\)"):
        read_records(tmp_path / "a.xlsx", Achievement, sheet="需求")


def test_read_valid_scan_and_iter_agree_on_the_good_rows(tmp_path: Path) -> None:
    path = write(
        tmp_path / "mixed.jsonl",
        '{"id": "a", "description": "好"}\n{"id": "b", "description": "x", "maturity": "量产"}\n'
        '{not json\n{"id": "a", "description": "重复"}\n{"id": "c", "description": "也好"}\n',
    )
    records, problems = read_valid(path, Achievement)
    assert [r.id for r in records] == ["a", "c"] == [r.id for r in iter_valid(path, Achievement)]
    assert [(p.row, p.field) for p in problems] == [(2, "maturity"), (3, ""), (4, "id")]
    assert scan_records(path, Achievement) == (2, problems)
    assert rows_at(path, {2, 3})[2]["maturity"] == "量产"  # row 3 is not JSON: nothing to show
    empty = write(tmp_path / "empty.jsonl", "\n")
    assert scan_records(empty, Achievement)[1][0].message == "contains no records"
