"""Field classifier accuracy on CSL ``category`` (13 classes), 5-fold stratified cross-validation.

    python benchmarks/classify.py --csl ../shared/data/csl

Features are those the engine uses: the TF-IDF rows of an index over title, keywords and abstract
(fitted once on all papers, unsupervised). Reported: the classifier trained on ``category``
directly, and trained on the finer ``category/discipline`` field (the way records carry a
``parent/child`` field) with its prediction's parent read off, by arg-max and by summing the
children's probabilities.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold

from matcher import Achievement, ChineseTokenizer
from matcher.classify import FieldClassifier
from matcher.index import TfidfIndex


def papers(csl: Path) -> tuple[list[Achievement], np.ndarray, np.ndarray]:
    """CSL papers as records, with their ``category`` and ``category/discipline`` labels."""
    rows = [json.loads(line) for line in (csl / "papers.jsonl").read_text(encoding="utf-8").splitlines()]
    records = [
        Achievement(id=r["id"], title=r["title"], description=r["abstract"], keywords=r["keywords"]) for r in rows
    ]
    coarse = np.array([r["category"] for r in rows], dtype=object)
    return records, coarse, np.array([f"{r['category']}/{r['discipline']}" for r in rows], dtype=object)


def arguments(doc: str) -> argparse.Namespace:
    """``--csl`` and ``--folds``, shared by the classifier benchmarks."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--csl", type=Path, default=Path("../shared/data/csl"))
    parser.add_argument("--folds", type=int, default=5)
    return parser.parse_args()


def main() -> None:
    args = arguments(__doc__)
    records, coarse, fine = papers(args.csl)
    start = time.perf_counter()
    features = TfidfIndex(tokenizer=ChineseTokenizer()).fit(records).rows(np.arange(len(records)))
    print(
        f"{len(records)} papers, {len(set(coarse))} categories, {len(set(fine))} disciplines; features in "
        f"{time.perf_counter() - start:.0f} s\n"
    )
    scores: dict[str, list[float]] = {
        "category": [],
        "discipline → parent (arg-max)": [],
        "discipline → parent (summed probabilities)": [],
    }
    folds = StratifiedKFold(args.folds, shuffle=True, random_state=0)
    for train, test in folds.split(features, coarse):
        direct = FieldClassifier().fit(features[train], list(coarse[train]))
        scores["category"].append(float(np.mean(np.array(direct.predict(features[test])) == coarse[test])))
        nested = FieldClassifier().fit(features[train], list(fine[train]))
        parents = [c.split("/")[0] for c in nested.predict(features[test])]
        scores["discipline → parent (arg-max)"].append(float(np.mean(np.array(parents) == coarse[test])))
        summed = np.array(nested.parents(features[test]), dtype=object)
        scores["discipline → parent (summed probabilities)"].append(float(np.mean(summed == coarse[test])))
    print("| trained on | accuracy (mean of folds) | folds |")
    print("|---|---|---|")
    for name, values in scores.items():
        print(f"| {name} | {np.mean(values):.4f} | {' '.join(f'{v:.3f}' for v in values)} |")


if __name__ == "__main__":
    main()
