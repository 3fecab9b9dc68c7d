"""The engine call a ``POST /match`` makes, in process, side by side for several checkouts of the engine.

    python benchmarks/engine_call.py [--achievements 100000] [--queries 400] [--engine . --engine ../old]

The load test's corpus and bodies (benchmarks/load_setup.py: CSL-like achievements, demand titles alone
and titles with their description, taking turns) and the call ``Matcher.match_text(text, k=10)`` with
explanations, as the route makes it. The matcher is fitted once with this checkout and saved in
``benchmarks/.work/engine-N/``; each ``--engine`` (a folder holding a ``matcher`` package, such as a git
worktree of an older commit) loads it in its own process, and the engines take turns, ``--rounds`` times,
so they share the machine's state alike. Printed: p50/p90/p99/mean milliseconds by body kind, and
whether every engine returned the same ids, scores, duplicate ids and explanations (terms with their
parts, reasons). Not collected by the tests.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_CHILD = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
from matcher import Matcher
matcher = Matcher.load(sys.argv[2])
texts = json.loads(open(sys.argv[3], encoding="utf-8").read())
for text in texts[:20]:
    matcher.match_text(text, k=10)
seconds, answers = [], []
for text in texts:
    start = time.perf_counter()
    found = matcher.match_text(text, k=10)
    seconds.append(time.perf_counter() - start)
    answers.append([
        [m.record.id, round(m.score, 5), list(m.duplicates),
         [[t, round(w, 5)] for t, w in m.explanation.terms], m.explanation.reasons]
        for m in found
    ])
print(json.dumps({"seconds": seconds, "answers": answers}))
"""


def saved_matcher(size: int) -> Path:
    """The load test's achievements fitted with this checkout, saved once."""
    sys.path.insert(0, str(ROOT))
    from benchmarks import load_setup
    from matcher import Achievement, Matcher

    folder = load_setup.WORK / f"engine-{size}"
    if not (folder / "matcher.json").is_file():
        papers = load_setup.corpus.load_papers()
        records = [Achievement(**row) for row in load_setup.corpus.achievements(size, seed=0, papers=papers)]
        Matcher().fit(records, []).save(folder)
    return folder


def summary(seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    at = lambda share: ms[min(len(ms) - 1, int(share * len(ms)))]  # noqa: E731
    return f"{at(0.5):.1f} / {at(0.9):.1f} / {at(0.99):.1f} / {statistics.mean(ms):.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--achievements", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--engine", type=Path, action="append", help="a checkout to measure (default: this one)")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from benchmarks import load_setup

    if not load_setup.corpus.PAPERS.is_file():
        sys.exit(f"skipped: this benchmark needs ../shared/data/csl ({load_setup.corpus.PAPERS} is absent)")
    engines = [path.resolve() for path in (args.engine or [ROOT])]
    folder = saved_matcher(args.achievements)
    texts = [json.loads(body)["text"] for body in load_setup.bodies(args.queries)]
    texts_file = load_setup.WORK / f"engine-texts-{args.queries}.json"
    texts_file.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
    seconds: dict[Path, list[float]] = {engine: [] for engine in engines}
    answers: dict[Path, list] = {}
    for _ in range(args.rounds):
        for engine in engines:
            command = [sys.executable, "-c", _CHILD, str(engine), str(folder), str(texts_file)]
            result = json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout)
            seconds[engine] += result["seconds"]
            answers.setdefault(engine, result["answers"])
    print(
        f"engine call at {args.achievements:,} achievements, {len(texts)} bodies x {args.rounds} rounds, "
        f"{time.strftime('%Y-%m-%d %H:%M')}"
    )
    print("| engine | titles p50 / p90 / p99 / mean ms | title + description | all |")
    print("|---|---|---|---|")
    for engine in engines:
        values = seconds[engine]
        titles = [s for n, s in enumerate(values) if n % len(texts) % 2]
        whole = [s for n, s in enumerate(values) if not n % len(texts) % 2]
        print(f"| {engine} | {summary(titles)} | {summary(whole)} | {summary(values)} |")
    same = all(answers[engine] == answers[engines[0]] for engine in engines)
    print("same ids, scores, duplicates and explanations for every body:", "yes" if same else "NO")
    for engine in engines[1:]:
        if answers[engine] != answers[engines[0]]:
            print(f"{engine} against {engines[0]}: {differences(answers[engines[0]], answers[engine])}")


def differences(first: list, second: list) -> str:
    """Where two engines' answers part: bodies, ranked ids, and the largest score gap (scores rounded to 1e-5)."""
    bodies = sum(a != b for a, b in zip(first, second, strict=True))
    orders = sum([m[0] for m in a] != [m[0] for m in b] for a, b in zip(first, second, strict=True))
    gap = max(
        (
            abs(x[1] - y[1])
            for a, b in zip(first, second, strict=True)
            for x, y in zip(a, b, strict=False)
            if x[0] == y[0]
        ),
        default=0.0,
    )
    return f"{bodies} bodies differ, {orders} in their ranked ids; largest score gap of a shared rank {gap:.5f}"


if __name__ == "__main__":
    main()
