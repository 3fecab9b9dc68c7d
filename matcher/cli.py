"""The ``techmatch`` command: match, batch, evaluate and the sample demo, with one-line errors."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from .batch import BatchOptions, Direction, Execution, Inputs, Outputs, rejected_path, run_batch
from .engine import Match, Matcher
from .errors import InputError, MatcherError
from .evaluate import Judged, summarize
from .filters import Filters
from .io import raw_rows, read_records
from .records import Achievement, CooperationMode, Demand, Maturity
from .samples import SAMPLE_DIR
from .scoring import QualityParams, quality_from_settings

app = typer.Typer(help="techmatch: rank 科技成果 for 技术需求 and the reverse, and say why.", no_args_is_help=True)
out = Console()
err = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])


def friendly(command: F) -> F:
    """Turn domain errors into a short message and exit code 2, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except MatcherError as error:
            err.print(f"[bold red]error:[/] {error}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
        except OSError as error:
            err.print(f"[bold red]error:[/] {error.filename or ''}: {error.strerror}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]


FieldOpt = Annotated[
    str | None, typer.Option("--field", help="技术领域; a parent such as 现代农业 selects its sub-fields")
]
RegionOpt = Annotated[str | None, typer.Option("--region", help="province (湖北) or city (武汉)")]
MaturityOpt = Annotated[Maturity | None, typer.Option("--min-maturity", help="keep records at least this mature")]
ModeOpt = Annotated[
    list[CooperationMode] | None, typer.Option("--mode", help="keep records offering one of these modes")
]
BudgetOpt = Annotated[
    float | None, typer.Option("--budget", help="万元: keep achievements priced within it (面议 kept)")
]
QualityOpt = Annotated[
    list[str] | None,
    typer.Option("--quality", help="a QualityParams setting as NAME=VALUE, e.g. expand=false (repeatable)"),
]
TopK = Annotated[int, typer.Option("--top-k", "-k", min=1, max=1000, help="how many results")]


def make_filters(
    field: str | None,
    region: str | None,
    maturity: Maturity | None,
    modes: list[CooperationMode] | None,
    budget: float | None,
) -> Filters:
    return Filters(field=field, region=region, min_maturity=maturity, modes=tuple(modes or ()), max_price=budget)


def print_matches(matches: list[Match], title: str) -> None:
    table = Table(title=title, title_justify="left", show_lines=False)
    for column in ("#", "id", "标题", "地区", "成熟度", "得分", "共同词", "理由"):
        table.add_column(column, overflow="fold")
    for rank, match in enumerate(matches, start=1):
        record = match.record
        terms = "、".join(term for term, _ in match.explanation.terms[:5])
        table.add_row(
            str(rank),
            record.id,
            record.title or record.description[:30],
            record.region,
            record.maturity.value if record.maturity else "",
            f"{match.score:.3f}",
            terms,
            "；".join(match.explanation.reasons),
        )
    if not matches:
        out.print(f"{title}: no match (nothing shared with any record that passes the filters)")
    else:
        out.print(table)


@app.command()
@friendly
def match(
    text: Annotated[str, typer.Argument(help="the demand (or, with --reverse, the achievement) text")],
    achievements: Annotated[Path, typer.Option(help="achievements file (.csv/.jsonl/.xlsx)")] = SAMPLE_DIR
    / "achievements.jsonl",
    demands: Annotated[Path, typer.Option(help="demands file, used with --reverse")] = SAMPLE_DIR / "demands.jsonl",
    reverse: Annotated[bool, typer.Option(help="rank demands for an achievement text instead")] = False,
    top_k: TopK = 10,
    field: FieldOpt = None,
    region: RegionOpt = None,
    min_maturity: MaturityOpt = None,
    mode: ModeOpt = None,
    budget: BudgetOpt = None,
) -> None:
    """Rank achievements for a demand text (or demands for an achievement text with --reverse)."""
    if not text.strip():
        raise InputError.single("text", "the text to match is empty")
    filters = make_filters(field, region, min_maturity, mode, budget)
    if reverse:
        matcher = Matcher().fit([], read_records(demands, Demand))
        print_matches(matcher.match_text(text, k=top_k, filters=filters, direction="demands"), "需求")
    else:
        matcher = Matcher().fit(read_records(achievements, Achievement))
        print_matches(matcher.match_text(text, k=top_k, filters=filters), "成果")


def _gold(path: Path) -> dict[str, set[str]]:
    gold: dict[str, set[str]] = {}
    rows = raw_rows(path)
    for number, row in rows:
        if not isinstance(row, dict) or not row.get("demand_id") or not row.get("achievement_id"):
            raise InputError.single(str(path), "needs columns demand_id and achievement_id", row=number)
        gold.setdefault(str(row["demand_id"]), set()).add(str(row["achievement_id"]))
    return gold


def _queries(path: Path, gold: Path | None) -> tuple[list[Demand], list[frozenset[str]], list[str | None]]:
    """Queries as demands with their right ids: a ``{qid, text, relevant}`` file, or demands + a gold CSV."""
    if gold is not None:
        demands = read_records(path, Demand)
        right = _gold(gold)
        return demands, [frozenset(right.get(d.id, ())) for d in demands], [None] * len(demands)
    demands, relevant, disciplines = [], [], []
    problems = []
    for number, row in raw_rows(path):
        try:
            fields = {k: v for k, v in row.items() if k not in ("qid", "text", "relevant")}
            demands.append(Demand.model_validate({**fields, "id": row["qid"], "description": row["text"]}))
            relevant.append(frozenset(str(r) for r in row["relevant"]))
            disciplines.append(row.get("discipline"))
        except (KeyError, TypeError, ValueError) as error:
            problems.append(f"row {number}: needs qid, text and a relevant list ({error})")
    if problems:
        raise InputError.single(str(path), "; ".join(problems[:5]))
    return demands, relevant, disciplines


@app.command()
@friendly
def evaluate(
    corpus: Annotated[Path, typer.Option(help="achievements (.jsonl/.csv/.xlsx): at least id and description")],
    queries: Annotated[
        Path, typer.Option(help="queries {qid, text, relevant: [ids]} per line, or demands with --gold")
    ],
    gold: Annotated[
        Path | None, typer.Option(help="CSV demand_id,achievement_id: the right answers for demand records")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    by: Annotated[
        list[str] | None, typer.Option("--by", help="also report per value of this query key (kind, tier)")
    ] = None,
    quality: QualityOpt = None,
) -> None:
    """MRR@10, Recall@1/10/100, nDCG@10 (and discipline@10 where records carry one)."""
    achievements = read_records(corpus, Achievement)
    discipline_of = {str(row.get("id")): row.get("discipline") for _, row in raw_rows(corpus) if isinstance(row, dict)}
    demands, relevant, disciplines = _queries(queries, gold)
    matcher = Matcher(quality=quality_from_settings(quality or [])).fit(achievements)
    ranked = matcher.match_demands(demands, k=100, explain=False)
    judged = [
        Judged([m.record.id for m in ms], rel, disc, [discipline_of.get(m.record.id) for m in ms[:10]])
        for ms, rel, disc in zip(ranked, relevant, disciplines, strict=False)
    ]
    metrics: dict[str, Any] = dict(summarize(judged))
    if by:
        metrics["by"] = _grouped(judged, queries, by)
    if as_json:
        print(json.dumps(metrics, ensure_ascii=False))
        return
    table = Table(title=f"{queries.name} against {corpus.name}", title_justify="left")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for name, value in metrics.items():
        if name != "by":
            table.add_row(name, str(value) if isinstance(value, int) else f"{value:.4f}")
    for key, groups in metrics.get("by", {}).items():
        for label, values in groups.items():
            table.add_row(f"{key}={label} MRR@10 ({values['queries']})", f"{values['MRR@10']:.4f}")
    out.print(table)


def _grouped(judged: list[Judged], queries: Path, keys: list[str]) -> dict[str, dict[str, Any]]:
    """Metrics per value of each query key (rows without the key are left out of that key)."""
    rows = [row if isinstance(row, dict) else {} for _, row in raw_rows(queries)]
    grouped: dict[str, dict[str, Any]] = {}
    for key in keys:
        labels = sorted({str(row[key]) for row in rows if row.get(key) is not None})
        grouped[key] = {
            label: summarize([j for j, row in zip(judged, rows, strict=False) if str(row.get(key)) == label])
            for label in labels
        }
    return grouped


@app.command()
@friendly
def duplicates(
    file: Annotated[Path, typer.Argument(help="records (.csv/.jsonl/.xlsx)")],
    demands: Annotated[bool, typer.Option("--demands", help="the file holds demands, not achievements")] = False,
    threshold: Annotated[
        float, typer.Option(min=0.05, max=1.0, help="estimated Jaccard of character 3-gram sets to call two a copy")
    ] = QualityParams().dedupe_threshold,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """List groups of near-duplicate records (the same record re-posted or lightly edited)."""
    quality = QualityParams(dedupe=True, dedupe_threshold=threshold)
    records: list[Achievement] | list[Demand]
    if demands:
        matcher = Matcher(quality=quality).fit([], read_records(file, Demand))
        records, groups = matcher.demands, matcher.duplicate_groups("demands")
    else:
        matcher = Matcher(quality=quality).fit(read_records(file, Achievement))
        records, groups = matcher.achievements, matcher.duplicate_groups("achievements")
    if as_json:
        print(json.dumps({"records": len(records), "groups": groups}, ensure_ascii=False))
        return
    title = {r.id: r.title or r.description[:40] for r in records}
    out.print(f"{len(groups)} group(s) of near-duplicates among {len(records)} records")
    for number, group in enumerate(groups, start=1):
        out.print(f"{number}. " + "  |  ".join(f"{i} {title[i]}" for i in group), highlight=False)


@app.command()
@friendly
def demo(
    top_k: TopK = 3,
    limit: Annotated[int, typer.Option(help="how many sample demands to show")] = 10,
) -> None:
    """The main job on the bundled sample data: rank achievements for the sample demands."""
    achievements = read_records(SAMPLE_DIR / "achievements.jsonl", Achievement)
    demands = read_records(SAMPLE_DIR / "demands.jsonl", Demand)
    matcher = Matcher().fit(achievements, demands)
    out.print(f"techmatch: {len(achievements)} sample achievements, {len(demands)} sample demands\n")
    for demand in demands[:limit]:
        print_matches(matcher.match_demand(demand, k=top_k), f"{demand.id} {demand.title}（{demand.region}）")
    evaluate(
        corpus=SAMPLE_DIR / "achievements.jsonl",
        queries=SAMPLE_DIR / "demands.jsonl",
        gold=SAMPLE_DIR / "gold.csv",
        as_json=False,
    )


@app.command()
@friendly
def batch(
    demands: Annotated[Path, typer.Option(help="demands file (.csv/.jsonl/.xlsx)")],
    achievements: Annotated[Path, typer.Option(help="achievements file (.csv/.jsonl/.xlsx)")],
    out: Annotated[Path, typer.Option(help="pairs file: .csv, .jsonl, .xlsx or .parquet")],
    top_k: TopK = 10,
    min_score: Annotated[float, typer.Option(min=0.0, help="drop pairs scoring below this")] = 0.0,
    field: FieldOpt = None,
    region: RegionOpt = None,
    min_maturity: MaturityOpt = None,
    mode: ModeOpt = None,
    budget: BudgetOpt = None,
    direction: Annotated[
        Direction, typer.Option(help="demand: achievements for each demand; achievement: the reverse; both")
    ] = "demand",
    skip_invalid: Annotated[
        bool, typer.Option(help="match the good rows and write the bad ones, with reasons, to --rejected")
    ] = False,
    rejected: Annotated[
        Path | None, typer.Option(help="rejected rows (.csv); default OUT's name + .rejected.csv")
    ] = None,
    report: Annotated[Path | None, typer.Option(help="shortlist per demand for brokers: .html or .xlsx")] = None,
    scheduler: Annotated[str | None, typer.Option(help="run on the Dask cluster at dask://HOST:PORT")] = None,
    dask: Annotated[
        bool, typer.Option(help="run on Dask: DASK_SCHEDULER_ADDRESS if set, else a local cluster")
    ] = False,
    workers: Annotated[int | None, typer.Option(min=1, help="local worker processes (default: all cores)")] = None,
    chunk_size: Annotated[int, typer.Option(min=1, help="queries per chunk of work")] = 256,
    index_dir: Annotated[
        Path | None, typer.Option(help="where workers load the fitted matcher from (shared storage for Dask)")
    ] = None,
    demands_sheet: Annotated[str | None, typer.Option(help="sheet of an .xlsx demands file")] = None,
    achievements_sheet: Annotated[str | None, typer.Option(help="sheet of an .xlsx achievements file")] = None,
    progress: Annotated[bool, typer.Option(help="progress bar on a terminal")] = True,
) -> None:
    """Match whole files: every demand against every achievement (or the reverse), pairs to OUT."""
    summary = run_batch(
        Inputs(demands, achievements, demands_sheet, achievements_sheet),
        Outputs(out, rejected, report),
        BatchOptions(top_k, make_filters(field, region, min_maturity, mode, budget), min_score),
        direction=direction,
        skip_invalid=skip_invalid,
        execution=Execution(workers, dask, scheduler, chunk_size, index_dir, progress),
    )
    err.print(
        f"{summary.pairs:,} pairs for {summary.queries:,} queries in {summary.seconds:.1f} s "
        f"(setup {summary.setup_seconds:.1f} s, {summary.runner}) → {out}",
        highlight=False,
        soft_wrap=True,
    )
    if skip_invalid:
        rejected = rejected or rejected_path(out)
        err.print(f"{summary.rejected:,} problems in skipped rows → {rejected}", highlight=False, soft_wrap=True)


def main() -> None:
    app()
