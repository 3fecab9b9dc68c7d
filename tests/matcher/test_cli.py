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
