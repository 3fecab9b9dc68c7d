"""Near-duplicate detection on constructed near-duplicates: precision and recall of the pairs found.

    python benchmarks/dedupe.py --csl ../shared/data/csl [--originals 2000 --copies 400]

Edited copies of CSL abstracts stand for the same achievement re-posted by another platform: a
platform banner and contact line added, a sentence dropped, sentences reordered, a few characters
changed, punctuation switched to full width. Truth: each copy with its original (and copies of
the same original with each other). Everything else found is a false pair.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import time
from itertools import combinations
from pathlib import Path

from matcher import Achievement
from matcher.dedupe import DuplicateFinder

BANNERS = ["【科惠网成果】", "【武创通推荐】", "科技成果转化项目：", "[转载]", "项目简介："]
CONTACTS = ["联系人：王老师 027-8765xxxx", "合作方式：技术转让、技术许可，价格面议。", "欢迎企业来电洽谈合作。", ""]


def edited(text: str, rng: random.Random) -> str:
    sentences = [s for s in re.split(r"(?<=[。.；;])", text) if s]
    if len(sentences) > 3 and rng.random() < 0.5:
        sentences.pop(rng.randrange(len(sentences)))
    if len(sentences) > 2 and rng.random() < 0.3:
        i = rng.randrange(len(sentences) - 1)
        sentences[i], sentences[i + 1] = sentences[i + 1], sentences[i]
    chars = list("".join(sentences))
    for _ in range(max(1, len(chars) // 50)):
        chars[rng.randrange(len(chars))] = rng.choice("的了和与及在中对为")
    body = "".join(chars).replace(",", "，").replace("(", "（").replace(")", "）")
    return rng.choice(BANNERS) + body + rng.choice(CONTACTS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csl", type=Path, default=Path("../shared/data/csl"))
    parser.add_argument("--originals", type=int, default=2000)
    parser.add_argument("--copies", type=int, default=400)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    rows = [json.loads(line) for line in (args.csl / "corpus.jsonl").read_text(encoding="utf-8").splitlines()]
    originals = rows[: args.originals]
    records = [Achievement(id=r["id"], description=r["description"]) for r in originals]
    source: dict[str, str] = {r["id"]: r["id"] for r in originals}
    for n in range(args.copies):
        row = rng.choice(originals)
        copy_id = f"{row['id']}-copy{n}"
        records.append(Achievement(id=copy_id, description=edited(row["description"], rng)))
        source[copy_id] = row["id"]
    copies_of: dict[str, list[str]] = {}
    for record_id, original in source.items():
        copies_of.setdefault(original, []).append(record_id)
    truth = {frozenset(pair) for group in copies_of.values() for pair in combinations(group, 2)}
    print(f"{len(records)} records, {len(truth)} true pairs\n")
    print("| threshold | pairs found | precision | recall | group precision | group recall | seconds |")
    print("|---|---|---|---|---|---|---|")
    signatures = DuplicateFinder().fit(records).signatures_
    for threshold in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
        start = time.perf_counter()
        finder = DuplicateFinder(threshold=threshold).with_signatures(signatures)
        found = {frozenset((records[x].id, records[y].id)) for x, y, _ in finder.pairs()}
        seconds = time.perf_counter() - start
        grouped = {
            frozenset(pair) for group in finder.groups() for pair in combinations([records[p].id for p in group], 2)
        }
        print(
            f"| {threshold} | {len(found)} | {rate(found, truth)} | {len(found & truth) / len(truth):.3f} "
            f"| {rate(grouped, truth)} | {len(grouped & truth) / len(truth):.3f} | {seconds:.1f} |"
        )


def rate(found: set[frozenset[str]], truth: set[frozenset[str]]) -> str:
    """Precision of ``found`` as text (1.000 when nothing was found)."""
    return f"{len(found & truth) / len(found) if found else 1.0:.3f}"


if __name__ == "__main__":
    main()
