"""Quality floors: the sample gold pairs always; the public CSL benchmark where ../shared is present."""

import json

import pytest
from typer.testing import CliRunner

from matcher.cli import app
from matcher.samples import SAMPLE_DIR
from tests.conftest import csl_file

runner = CliRunner()


def evaluate(*args: str) -> dict:
    result = runner.invoke(app, ["evaluate", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_sample_gold_pairs() -> None:
    metrics = evaluate(
        "--corpus", str(SAMPLE_DIR / "achievements.jsonl"),
        "--queries", str(SAMPLE_DIR / "demands.jsonl"),
        "--gold", str(SAMPLE_DIR / "gold.csv"),
    )  # fmt: skip
    assert metrics["queries"] >= 50
    assert metrics["Recall@10"] >= 0.9
    assert metrics["MRR@10"] >= 0.8


def test_sample_data_is_as_documented() -> None:
    from matcher.io import read_records
    from matcher.records import Achievement, Demand

    achievements = read_records(SAMPLE_DIR / "achievements.jsonl", Achievement)
    demands = read_records(SAMPLE_DIR / "demands.jsonl", Demand)
    assert all(80 <= len(a.description) <= 400 for a in achievements)
    assert len({a.field for a in achievements}) >= 12
    ids = {a.id for a in achievements}
    gold = (SAMPLE_DIR / "gold.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert {line.split(",")[1] for line in gold} <= ids
    assert {line.split(",")[0] for line in gold} == {d.id for d in demands}


@pytest.mark.parametrize(("queries", "floor"), [("queries_title.jsonl", 0.975), ("queries_keywords.jsonl", 0.980)])
def test_csl_benchmark_floor(queries: str, floor: float) -> None:
    metrics = evaluate("--corpus", str(csl_file("corpus.jsonl")), "--queries", str(csl_file(queries)))
    assert metrics["queries"] == 1000
    assert metrics["MRR@10"] >= floor


def test_csl_short_queries_and_company_language(tmp_path) -> None:
    """Issue 7's acceptance floors per kind and tier of the demands and search-box (gap) queries (one fit)."""
    lines = []
    for name in ("demands", "demands_gap"):
        for line in csl_file(f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            lines.append(json.dumps({**row, "group": f"{name}:{row.get('tier') or row['kind']}"}, ensure_ascii=False))
    queries = tmp_path / "queries.jsonl"
    queries.write_text("\n".join(lines) + "\n", encoding="utf-8")
    by = evaluate("--corpus", str(csl_file("corpus.jsonl")), "--queries", str(queries), "--by", "group")["by"]["group"]
    assert by["demands:long"]["MRR@10"] >= 0.985 and by["demands:short"]["MRR@10"] >= 0.90
    assert by["demands_gap:one"]["MRR@10"] >= 0.85 and by["demands_gap:none"]["MRR@10"] >= 0.30
