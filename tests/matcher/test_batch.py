import csv
import json
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from matcher import Achievement, Demand, Filters, InputError, Match, Matcher, MatcherError, Maturity
from matcher.batch import Execution, Inputs, Outputs, run_batch
from matcher.io import read_records
from matcher.output import PAIR_COLUMNS
from matcher.runners import BatchOptions, loaded_matcher, scheduler_address
from matcher.samples import SAMPLE_DIR
from tests.conftest import ACHIEVEMENTS, DEMANDS
from tests.matcher.test_cli import jsonl

SERIAL = Execution(workers=1, progress=False)


@pytest.fixture
def files(tmp_path: Path) -> Inputs:
    return Inputs(jsonl(tmp_path / "d.jsonl", DEMANDS), jsonl(tmp_path / "a.jsonl", ACHIEVEMENTS))


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def single_results(inputs: Inputs, options: BatchOptions, direction: str = "demand") -> list[tuple]:
    """What the facade returns for one record at a time: the reference for every batch run."""
    matcher = Matcher().fit(read_records(inputs.achievements, Achievement), read_records(inputs.demands, Demand))
    expected = []
    if direction in ("demand", "both"):
        for d in matcher.demands:
            for rank, m in enumerate(
                matcher.match_demand(d, k=options.k, filters=options.filters, min_score=options.min_score), 1
            ):
                expected.append(("demand", d.id, rank, m.record.id, m.score, m.explanation.reasons, terms(m)))
    if direction in ("achievement", "both"):
        for a in matcher.achievements:
            for rank, m in enumerate(matcher.match_achievement(a, k=options.k, min_score=options.min_score), 1):
                expected.append(("achievement", m.record.id, rank, a.id, m.score, m.explanation.reasons, terms(m)))
    return expected


def terms(match: Match) -> list[dict]:
    return [{"term": t, "weight": round(w, 4)} for t, w in match.explanation.terms[:10]]


def as_tuples(rows: list[dict]) -> list[tuple]:
    keys = ("direction", "demand_id", "rank", "achievement_id", "score", "reasons", "shared_terms")
    return [tuple(r[k] for k in keys) for r in rows]


@pytest.mark.parametrize(
    ("direction", "options"),
    [
        ("demand", BatchOptions(k=3)),
        ("demand", BatchOptions(k=5, filters=Filters(region="湖北", min_maturity=Maturity.PILOT), min_score=0.1)),
        ("achievement", BatchOptions(k=2)),
        ("both", BatchOptions(k=4)),
    ],
)
def test_pairs_equal_single_record_results(
    files: Inputs, tmp_path: Path, direction: str, options: BatchOptions
) -> None:
    out = tmp_path / "pairs.jsonl"
    summary = run_batch(files, Outputs(out), options, direction=direction, execution=SERIAL)  # type: ignore[arg-type]
    rows = read_jsonl(out)
    assert as_tuples(rows) == single_results(files, options, direction)
    assert summary.pairs == len(rows) > 0
    assert list(rows[0]) == list(PAIR_COLUMNS)
    first = rows[0]
    assert first["demand_title"] and first["achievement_title"] and first["shared_terms"][0]["weight"] > 0


def test_sample_data_pairs_equal_single_demand_results(tmp_path: Path) -> None:
    inputs = Inputs(SAMPLE_DIR / "demands.jsonl", SAMPLE_DIR / "achievements.jsonl")
    out = tmp_path / "pairs.jsonl"
    summary = run_batch(inputs, Outputs(out), BatchOptions(k=10), execution=Execution(workers=1, chunk_size=16))
    assert as_tuples(read_jsonl(out)) == single_results(inputs, BatchOptions(k=10))
    assert summary.queries == len(read_records(inputs.demands, Demand)) and summary.pairs > 0


def test_worker_processes_and_chunks_give_the_same_file(files: Inputs, tmp_path: Path) -> None:
    options = BatchOptions(k=3)
    run_batch(files, Outputs(tmp_path / "one.csv"), options, execution=SERIAL)
    summary = run_batch(files, Outputs(tmp_path / "two.csv"), options, execution=Execution(workers=2, chunk_size=1))
    assert summary.runner == "2 processes"
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "two.csv").read_bytes()
    assert not list(tmp_path.glob(".techmatch-index-*"))  # the saved matcher is cleaned up


def test_dask_local_cluster_gives_the_same_file(files: Inputs, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    options = BatchOptions(k=3)
    run_batch(files, Outputs(tmp_path / "local.jsonl"), options, direction="both", execution=SERIAL)
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster:
        execution = Execution(scheduler=cluster.scheduler_address, chunk_size=2, progress=False)
        summary = run_batch(files, Outputs(tmp_path / "dask.jsonl"), options, direction="both", execution=execution)
    assert summary.runner.startswith("dask ")
    assert (tmp_path / "local.jsonl").read_bytes() == (tmp_path / "dask.jsonl").read_bytes()
    assert not list(tmp_path.glob(".techmatch-index-*"))  # saved beside the output, removed at the end


def test_scheduler_address() -> None:
    assert scheduler_address("dask://10.0.0.5:8786") == "tcp://10.0.0.5:8786"
    assert scheduler_address("tls://host:8786") == "tls://host:8786"
    assert scheduler_address("host:8786") == "tcp://host:8786"


def test_workers_load_the_saved_matcher_once(tmp_path: Path, matcher: Matcher) -> None:
    matcher.save(tmp_path / "index")
    assert loaded_matcher(str(tmp_path / "index")) is loaded_matcher(str(tmp_path / "index"))
    with pytest.raises(Exception, match="cannot read the saved matcher"):
        loaded_matcher(str(tmp_path / "missing"))


def read_pairs(path: Path) -> list[dict]:
    if path.suffix == ".jsonl":
        return read_jsonl(path)
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        return pq.read_table(path).to_pylist()
    if path.suffix == ".csv":
        with open(path, encoding="utf-8-sig", newline="") as handle:
            return list(csv.DictReader(handle))
    sheet = load_workbook(path, read_only=True).worksheets[0]
    header, *values = list(sheet.iter_rows(values_only=True))
    return [dict(zip(header, v, strict=True)) for v in values]


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".xlsx", ".parquet"])
def test_every_output_format_holds_the_same_pairs(files: Inputs, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"pairs{suffix}"
    run_batch(files, Outputs(out), BatchOptions(k=2), execution=SERIAL)
    rows = read_pairs(out)
    expected = single_results(files, BatchOptions(k=2))
    assert [(r["demand_id"], int(r["rank"]), r["achievement_id"]) for r in rows] == [
        (e[1], e[2], e[3]) for e in expected
    ]
    exact = [e[4] for e in expected]  # Excel keeps 15 significant digits; the other formats every bit
    assert [float(r["score"]) for r in rows] == (pytest.approx(exact, rel=1e-14) if suffix == ".xlsx" else exact)
    if suffix in (".csv", ".xlsx"):
        assert rows[0]["reasons"] == "；".join(expected[0][5])
        assert rows[0]["shared_terms"].startswith("锂电池隔膜:")


def bad_files(tmp_path: Path) -> Inputs:
    demands = tmp_path / "d.csv"
    demands.write_text(
        "编号,标题,描述,成熟度\nd1,隔膜,湿法隔膜工艺,量产\n,缺编号,没有编号的需求,\nd1,重复,重复编号,小试\nd4,好的,尾水处理,中试\n",
        encoding="utf-8",
    )
    achievements = tmp_path / "a.csv"
    achievements.write_text('id,description\na1,"unclosed quote\n', encoding="utf-8")
    return Inputs(demands, achievements)


def test_malformed_files_are_reported_row_by_row_and_nothing_is_written(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        run_batch(
            bad_files(tmp_path),
            Outputs(tmp_path / "pairs.csv", report=tmp_path / "r.html"),
            BatchOptions(),
            execution=SERIAL,
        )
    lines = str(caught.value).splitlines()
    assert lines[0].endswith("d.csv row 2: field 'maturity': '量产' is not one of 样品/小试/中试/产业化")
    assert lines[1].endswith("d.csv row 3: field 'id': is required")
    assert lines[2].endswith("d.csv row 4: field 'id': duplicate id 'd1' (first at row 2)")
    assert "a.csv" in lines[3] and "broken CSV" in lines[3]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "d.csv"]


def test_wrong_sheet_is_reported(tmp_path: Path, files: Inputs) -> None:
    book = Workbook()
    book.active.title = "成果"
    book.active.append(["编号", "描述"])
    book.active.append(["a1", "湿法锂电池隔膜"])
    book.save(tmp_path / "a.xlsx")
    inputs = Inputs(files.demands, tmp_path / "a.xlsx", achievements_sheet="需求")
    with pytest.raises(InputError, match=r"no sheet named '需求' \(sheets: 成果\)"):
        run_batch(inputs, Outputs(tmp_path / "pairs.csv"), BatchOptions(), execution=SERIAL)
    assert not (tmp_path / "pairs.csv").exists()
    inputs = Inputs(files.demands, tmp_path / "a.xlsx", achievements_sheet="成果")
    assert run_batch(inputs, Outputs(tmp_path / "pairs.csv"), BatchOptions(), execution=SERIAL).pairs > 0


def test_skip_invalid_matches_good_rows_and_writes_the_rejected_ones(tmp_path: Path, files: Inputs) -> None:
    inputs = Inputs(bad_files(tmp_path).demands, files.achievements)
    out = tmp_path / "pairs.jsonl"
    summary = run_batch(inputs, Outputs(out), BatchOptions(k=2), skip_invalid=True, execution=SERIAL)
    assert {r["demand_id"] for r in read_jsonl(out)} == {"d4"}  # both rows with id d1 are rejected
    assert summary.queries == 1 and summary.rejected == 3
    with open(tmp_path / "pairs.rejected.csv", encoding="utf-8-sig", newline="") as handle:
        rejected = list(csv.DictReader(handle))
    assert [(r["row"], r["field"]) for r in rejected] == [("2", "maturity"), ("3", "id"), ("4", "id")]
    assert json.loads(rejected[0]["record"])["maturity"] == "量产"
    assert "is not one of" in rejected[0]["reason"]


def test_skip_invalid_still_stops_on_an_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="broken CSV"):
        run_batch(bad_files(tmp_path), Outputs(tmp_path / "p.csv"), BatchOptions(), skip_invalid=True, execution=SERIAL)
    assert not (tmp_path / "p.csv").exists() and not (tmp_path / "p.rejected.csv").exists()


def test_an_interrupted_run_leaves_no_output(files: Inputs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    original = Matcher.match_demands

    def failing(self: Matcher, demands: list[Demand], **options: object) -> list:
        calls.append(len(demands))
        if len(calls) == 2:
            raise KeyboardInterrupt
        return original(self, demands, **options)

    monkeypatch.setattr(Matcher, "match_demands", failing)
    outputs = Outputs(tmp_path / "pairs.parquet", report=tmp_path / "report.xlsx")
    with pytest.raises(KeyboardInterrupt):
        run_batch(files, outputs, BatchOptions(), execution=Execution(workers=1, chunk_size=1, progress=False))
    assert calls == [1, 1]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.jsonl", "d.jsonl"]


def test_chinese_headers(tmp_path: Path) -> None:
    achievements = tmp_path / "成果.csv"
    achievements.write_text(
        "成果编号,成果名称,成果简介,关键词,技术领域,所在地区,技术成熟度,转化方式,完成单位\n"
        "A1,湿法锂电池隔膜制备技术,湿法锂电池隔膜的中试工艺,隔膜、湿法,新能源,湖北省武汉市,中试,转让,武汉理工大学\n"
        "A2,耐盐碱水稻新品种,耐盐碱水稻品种选育,水稻,现代农业,江苏省南京市,产业化,许可,南京农业大学\n",
        encoding="utf-8",
    )
    demands = tmp_path / "需求.csv"
    demands.write_text(
        "需求编号,需求名称,需求描述,地区\nD1,求购隔膜工艺,需要锂电池隔膜生产工艺,湖北省襄阳市\n", encoding="utf-8"
    )
    out = tmp_path / "pairs.jsonl"
    run_batch(Inputs(demands, achievements), Outputs(out), BatchOptions(k=1), execution=SERIAL)
    [row] = read_jsonl(out)
    assert (row["demand_id"], row["achievement_id"], row["achievement_title"]) == ("D1", "A1", "湿法锂电池隔膜制备技术")
    assert "同一地区: 湖北" in row["reasons"]


def test_outputs_that_cannot_be_written_are_refused_before_work(
    files: Inputs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("matcher.batch.XLSX_MAX_ROWS", 10)
    with pytest.raises(InputError, match="do not fit in one Excel sheet"):
        run_batch(files, Outputs(tmp_path / "p.xlsx"), BatchOptions(k=5), execution=SERIAL)
    with pytest.raises(InputError, match="is an input file: the output would overwrite it"):
        run_batch(files, Outputs(files.demands), BatchOptions(), execution=SERIAL)
    with pytest.raises(InputError, match="unknown output type '.txt'"):
        run_batch(files, Outputs(tmp_path / "p.txt"), BatchOptions(), execution=SERIAL)
    assert not list(tmp_path.glob("p.*"))


def test_an_unreachable_scheduler_fails_before_fitting(
    files: Inputs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreachable(address: str | None) -> None:
        raise MatcherError(f"cannot reach the Dask scheduler at {address}")

    fits = []
    monkeypatch.setattr("matcher.batch.DaskCluster", unreachable)
    monkeypatch.setattr(Matcher, "fit", lambda *args: fits.append(args))
    with pytest.raises(MatcherError, match="cannot reach the Dask scheduler at tcp://10.1.2.3:8786"):
        run_batch(
            files, Outputs(tmp_path / "p.csv"), BatchOptions(), execution=Execution(scheduler="dask://10.1.2.3:8786")
        )
    assert fits == [] and not (tmp_path / "p.csv").exists()


def test_budget_limits_achievements_only(files: Inputs, tmp_path: Path) -> None:
    options = BatchOptions(k=6, filters=Filters(max_price=60))
    assert options.filters_for(True).max_price == 60 and options.filters_for(False).max_price is None
    out = tmp_path / "pairs.jsonl"
    run_batch(files, Outputs(out), options, direction="both", execution=SERIAL)
    rows = read_jsonl(out)
    ranked_achievements = {r["achievement_id"] for r in rows if r["direction"] == "demand"}
    assert ranked_achievements <= {"a2", "a3", "a4"}  # priced within 60 万元 or 面议
    assert {r["demand_id"] for r in rows if r["direction"] == "achievement"} == {"d1", "d2", "d3"}
