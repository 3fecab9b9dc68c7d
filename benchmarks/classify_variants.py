"""Field classifier variants on CSL ``category``: the fixed grid measured against issue 7's 0.85 target.

    python benchmarks/classify_variants.py --csl ../shared/data/csl

Every row is 5-fold stratified cross-validation (seed 0) on all of ``papers.jsonl``, the same folds as
benchmarks/classify.py. Features are fitted once on all papers without labels, as the engine's index
is: the index's own rows under other ``IndexParams`` (word-only, character-only, other n-gram ranges
and field weights), and two vectorisers of the classifier's own (word uni+bigrams, whole keywords as
extra tokens). Models: linear SVM (balanced or not, several C), SGD with modified Huber loss,
complement naive Bayes, trained on ``category`` or on ``category/discipline`` with the parent read off
(arg-max, or children's probabilities summed, optionally plus the direct model and a 15-nearest-
neighbour vote). Hyper-parameters are this fixed grid, never chosen per paper.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import StratifiedKFold
from sklearn.naive_bayes import ComplementNB
from sklearn.svm import LinearSVC

from matcher import Achievement, ChineseTokenizer
from matcher.index import IndexParams, TfidfIndex

sys.path.insert(0, str(Path(__file__).resolve().parent))
from classify import arguments, papers  # noqa: E402

Model = Callable[[], Any]


def svm(c: float = 1.0, balanced: bool = True) -> Model:
    return lambda: LinearSVC(C=c, class_weight="balanced" if balanced else None)


def naive_bayes(alpha: float) -> Model:
    return lambda: ComplementNB(alpha=alpha)


def softmax(decision: np.ndarray, sharpness: float = 10.0) -> np.ndarray:
    z = sharpness * decision
    z = np.exp(z - z.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)  # type: ignore[no-any-return]


def index_rows(records: list[Achievement], **params: Any) -> sp.csr_matrix:
    index = TfidfIndex(tokenizer=ChineseTokenizer(), params=IndexParams(**params)).fit(records)
    return index.rows(np.arange(len(records)))


def own_words(records: list[Achievement], *, bigrams: bool, whole_keywords: bool) -> sp.csr_matrix:
    """Word TF-IDF of the classifier's own: title and keywords twice, optional bigrams and keyword tokens."""
    tokenizer = ChineseTokenizer()

    def tokens(record: Achievement) -> list[str]:
        out: list[str] = []
        for text, times in ((record.title, 2), (" ".join(record.keywords), 2), (record.description, 1)):
            words = tokenizer(text)
            out += (words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)] if bigrams else words) * times
        return out + ([f"kw:{k}" for k in record.keywords] if whole_keywords else [])

    vectoriser = TfidfVectorizer(analyzer=lambda doc: doc, sublinear_tf=True, dtype=np.float32)
    return vectoriser.fit_transform([tokens(r) for r in records]).tocsr()


class Grid:
    """Runs one row: features, model, target; prints a Markdown table line."""

    def __init__(self, coarse: np.ndarray, fine: np.ndarray, folds: int) -> None:
        self.coarse, self.fine = coarse, fine
        self.splits = list(StratifiedKFold(folds, shuffle=True, random_state=0).split(coarse, coarse))
        self.categories = np.unique(coarse)

    def row(self, name: str, X: sp.csr_matrix, model: Model, target: str = "category") -> None:
        start, scores = time.perf_counter(), []
        for train, test in self.splits:
            predicted = self.predict(X, train, test, model, target)
            scores.append(float(np.mean(predicted == self.coarse[test])))
        seconds = (time.perf_counter() - start) / len(self.splits)
        folds = " ".join(f"{v:.3f}" for v in scores)
        print(f"| {name} | {target} | {np.mean(scores):.4f} | {folds} | {seconds:.1f} |", flush=True)

    def predict(self, X: sp.csr_matrix, train: np.ndarray, test: np.ndarray, model: Model, target: str) -> Any:
        if target == "category":
            return model().fit(X[train], self.coarse[train]).predict(X[test])
        fine = model().fit(X[train], self.fine[train])
        if target == "discipline → parent (arg-max)":
            return np.array([c.split("/")[0] for c in fine.predict(X[test])])
        parents = np.array([c.split("/")[0] for c in fine.classes_])
        probabilities = softmax(fine.decision_function(X[test]))
        summed = np.stack([probabilities[:, parents == c].sum(axis=1) for c in self.categories], axis=1)
        if "+ category" in target:
            summed += softmax(model().fit(X[train], self.coarse[train]).decision_function(X[test]))
        if "+ kNN" in target:
            summed += self.neighbours(X, train, test)
        return self.categories[summed.argmax(axis=1)]

    def neighbours(self, X: sp.csr_matrix, train: np.ndarray, test: np.ndarray, k: int = 15) -> np.ndarray:
        """Cosine-weighted vote of the k most similar training papers, rows summing to one."""
        similarity = (X[test] @ X[train].T).toarray()
        top = np.argsort(-similarity, axis=1)[:, :k]
        columns = np.searchsorted(self.categories, self.coarse[train][top])
        votes = np.zeros((len(test), len(self.categories)))
        np.add.at(votes, (np.arange(len(test))[:, None], columns), np.take_along_axis(similarity, top, axis=1))
        return votes / np.maximum(votes.sum(axis=1, keepdims=True), 1e-12)  # type: ignore[no-any-return]


def main() -> None:
    args = arguments(__doc__)
    records, coarse, fine = papers(args.csl)
    grid = Grid(coarse, fine, args.folds)
    index = index_rows(records)
    words, chars = index_rows(records, char_weight=0.0), index_rows(records, char_weight=1.0)
    print("| features | trained on | accuracy | folds | s a fold |\n|---|---|---|---|---|")
    for c in (0.3, 1.0, 3.0):
        grid.row(f"index rows (word 0.2 + char 1–2 0.8), SVM C={c}", index, svm(c))
        grid.row(f"word unigrams, SVM C={c}", words, svm(c))
        grid.row(f"char 1–2-grams, SVM C={c}", chars, svm(c))
    grid.row("index rows, SVM C=1 unbalanced", index, svm(1.0, balanced=False))
    grid.row("char 1–3-grams, SVM C=1", index_rows(records, char_weight=1.0, char_ngram_max=3), svm())
    grid.row("word 0.5 + char 1–2 0.5, SVM C=1", index_rows(records, char_weight=0.5), svm())
    grid.row("own word uni+bigrams, SVM C=1", own_words(records, bigrams=True, whole_keywords=False), svm())
    for alpha in (0.1, 0.3):
        grid.row(f"word unigrams, ComplementNB α={alpha}", words, naive_bayes(alpha))
    grid.row(
        "index rows, SGD modified Huber α=1e-4",
        index,
        lambda: SGDClassifier(loss="modified_huber", alpha=1e-4, class_weight="balanced", random_state=0),
    )
    with_keywords = own_words(records, bigrams=False, whole_keywords=True)
    grid.row(
        "own words + whole keywords 0.2 + char 0.8, SVM C=1",
        sp.hstack([with_keywords * np.sqrt(0.2), chars * np.sqrt(0.8)]).tocsr(),
        svm(),
        "discipline → parent (arg-max)",
    )
    unweighted = index_rows(records, title_weight=1.0, keyword_weight=1.0)
    grid.row("index rows, fields unweighted, SVM C=1", unweighted, svm(), "discipline → parent (arg-max)")
    for c in (0.5, 1.0, 2.0):
        grid.row(f"index rows, SVM C={c}", index, svm(c), "discipline → parent (arg-max)")
    grid.row("char 1–2-grams, SVM C=3", chars, svm(3.0), "discipline → parent (summed)")
    for target in ("summed", "summed + category", "summed + kNN"):
        grid.row("index rows, SVM C=1", index, svm(), f"discipline → parent ({target})")


if __name__ == "__main__":
    main()
