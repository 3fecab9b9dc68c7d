import json
from pathlib import Path

from typer.testing import CliRunner

from matcher.cli import app
from tests.conftest import ACHIEVEMENTS, DEMANDS

runner = CliRunner()


def jsonl(path: Path, records) -> Path:
    path.write_text("".join(r.model_dump_json() + "\n" for r in records), encoding="utf-8")
    return path


def test_match_prints_a_ranked_table(tmp_path: Path) -> None:
    corpus = jsonl(tmp_path / "a.jsonl", ACHIEVEMENTS)
    result = runner.invoke(
        app, ["match", "求购锂电池隔膜湿法工艺", "--achievements", str(corpus), "--top-k", "2", "--region", "湖北"]
    )
    assert result.exit_code == 0, result.output
    assert "a1" in result.output and "锂电池隔膜" in result.output
    assert "a2" not in result.output  # filtered out: Guangdong


def test_match_reverse(tmp_path: Path) -> None:
    demands = jsonl(tmp_path / "d.jsonl", DEMANDS)
    result = runner.invoke(app, ["match", "化工废水COD深度处理", "--reverse", "--demands", str(demands)])
    assert result.exit_code == 0, result.output
    assert "d3" in result.output


def test_evaluate_json(tmp_path: Path) -> None:
    corpus = jsonl(tmp_path / "a.jsonl", ACHIEVEMENTS)
    queries = tmp_path / "q.jsonl"
    queries.write_text(
        json.dumps({"qid": "q1", "text": "锂电池隔膜", "relevant": ["a1"], "extra": 1}, ensure_ascii=False)
        + "\n"
        + json.dumps({"qid": "q2", "text": "小龙虾尾水", "relevant": ["a4"]}, ensure_ascii=False)
        + "\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["evaluate", "--corpus", str(corpus), "--queries", str(queries), "--json"])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.output)
    assert set(metrics) == {"MRR@10", "Recall@1", "Recall@10", "Recall@100", "nDCG@10", "queries"}
    assert metrics["queries"] == 2 and metrics["MRR@10"] == 1.0


def test_evaluate_with_gold_csv(tmp_path: Path) -> None:
    corpus = jsonl(tmp_path / "a.jsonl", ACHIEVEMENTS)
    demands = jsonl(tmp_path / "d.jsonl", DEMANDS)
    gold = tmp_path / "gold.csv"
    gold.write_text("demand_id,achievement_id\nd1,a1\nd2,a4\nd3,a6\n", encoding="utf-8")
    result = runner.invoke(
        app, ["evaluate", "--corpus", str(corpus), "--queries", str(demands), "--gold", str(gold), "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["Recall@10"] == 1.0


def test_bad_input_gives_one_message_and_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "description": "d", "maturity": "量产"}\n', encoding="utf-8")
    for args in (
        ["match", "隔膜", "--achievements", str(tmp_path / "missing.jsonl")],
        ["match", "隔膜", "--achievements", str(bad)],
        ["match", "   "],
        ["evaluate", "--corpus", str(bad), "--queries", str(bad)],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    assert (
        "'量产' is not one of 样品/小试/中试/产业化"
        in runner.invoke(app, ["match", "隔膜", "--achievements", str(bad)]).output
    )


def test_evaluate_by_kind_and_tier_keeps_the_plain_keys(tmp_path: Path) -> None:
    corpus = jsonl(tmp_path / "a.jsonl", ACHIEVEMENTS)
    queries = tmp_path / "q.jsonl"
    lines = [
        {"qid": "q1", "text": "锂电池隔膜", "relevant": ["a1"], "kind": "short", "tier": "one"},
        {"qid": "q2", "text": "稻虾养殖基地尾水氮磷超标，寻求低成本生态处理办法", "relevant": ["a4"], "kind": "long"},
        {"qid": "q3", "text": "射频芯片", "relevant": ["a5"], "kind": "short", "tier": "one"},
    ]
    queries.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    args = ["evaluate", "--corpus", str(corpus), "--queries", str(queries)]
    result = runner.invoke(app, [*args, "--json", "--by", "kind", "--by", "tier"])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.output)
    assert {"MRR@10", "Recall@1", "Recall@10", "Recall@100", "nDCG@10", "queries"} < set(metrics)
    assert metrics["by"]["kind"]["short"]["queries"] == 2 and metrics["by"]["kind"]["long"]["queries"] == 1
    assert set(metrics["by"]["tier"]) == {"one"}
    table = runner.invoke(app, [*args, "--by", "kind"])
    assert "kind=short MRR@10 (2)" in table.output


def test_evaluate_switches_quality_components(tmp_path: Path) -> None:
    corpus = jsonl(tmp_path / "a.jsonl", ACHIEVEMENTS)
    queries = tmp_path / "q.jsonl"
    queries.write_text(json.dumps({"qid": "q", "text": "克氏原螯虾", "relevant": ["a4"]}) + "\n", encoding="utf-8")
    args = ["evaluate", "--corpus", str(corpus), "--queries", str(queries), "--json"]
    assert runner.invoke(app, [*args, "--quality", "expand=false"]).exit_code == 0
    bad = runner.invoke(app, [*args, "--quality", "expand=perhaps"])
    assert bad.exit_code == 2 and "expand: 'perhaps' is not a valid bool" in bad.output


def test_duplicates_lists_groups(tmp_path: Path) -> None:
    text = ACHIEVEMENTS[0].description
    copy = ACHIEVEMENTS[0].model_copy(update={"id": "a1-copy", "description": "【转载】" + text + "欢迎洽谈。"})
    corpus = jsonl(tmp_path / "a.jsonl", [*ACHIEVEMENTS, copy])
    result = runner.invoke(app, ["duplicates", str(corpus), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"records": 7, "groups": [["a1", "a1-copy"]]}
    table = runner.invoke(app, ["duplicates", str(corpus)])
    assert "1 group(s) of near-duplicates among 7 records" in table.output
    demands = runner.invoke(app, ["duplicates", str(jsonl(tmp_path / "d.jsonl", DEMANDS)), "--demands", "--json"])
    assert json.loads(demands.output)["groups"] == []
    missing = runner.invoke(app, ["duplicates", str(tmp_path / "none.jsonl")])
    assert missing.exit_code == 2 and "Traceback" not in missing.output
