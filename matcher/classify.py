"""Field awareness: a linear classifier of ``field`` over an index's TF-IDF rows.

Trained on the indexed records that carry a field, it fills the field of records that have none
(so field filters and reasons work for them too) and gives the probability that a query belongs to
each field, which the engine turns into a soft ranking boost. No extra vectoriser: the features are
the index's own document and query vectors.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.svm import LinearSVC

MIN_EXAMPLES = 10
"""Fewer labelled records than this (or a single field) and no classifier is trained."""


class FieldClassifier:
    """Linear SVM (one-vs-rest, balanced classes) with softmax-scaled decision values as probabilities.

    Examples
    --------
    >>> X = sp.csr_matrix(np.eye(4, dtype=np.float32).repeat(3, axis=0))
    >>> clf = FieldClassifier().fit(X, ["a"] * 6 + ["b"] * 6)
    >>> clf.predict(X[:1]), clf.predict(X[-1:])
    (['a'], ['b'])
    >>> nested = FieldClassifier().fit(X, ["x/a"] * 3 + ["x/b"] * 3 + ["y/c"] * 3 + ["y/d"] * 3)
    >>> nested.predict(X[-1:]), nested.parents(X[-1:])
    (['y/d'], ['y'])
    """

    def __init__(self, *, c: float = 1.0, sharpness: float = 10.0) -> None:
        self.c = c
        self.sharpness = sharpness

    @staticmethod
    def trainable(labels: Sequence[str]) -> bool:
        labelled = [label for label in labels if label]
        return len(labelled) >= MIN_EXAMPLES and len(set(labelled)) >= 2

    def fit(self, features: sp.csr_matrix, labels: Sequence[str]) -> FieldClassifier:
        svm = LinearSVC(C=self.c, class_weight="balanced").fit(features, np.asarray(labels, dtype=object))
        self.classes_ = [str(c) for c in svm.classes_]
        coef = svm.coef_ if len(self.classes_) > 2 else np.vstack([-svm.coef_, svm.coef_])
        intercept = svm.intercept_ if len(self.classes_) > 2 else np.r_[-svm.intercept_, svm.intercept_]
        self.coef_ = coef.astype(np.float32)
        self.intercept_ = intercept.astype(np.float32)
        return self

    def decision(self, features: sp.csr_matrix) -> np.ndarray:
        return np.asarray(features @ self.coef_.T) + self.intercept_

    def predict(self, features: sp.csr_matrix) -> list[str]:
        return [self.classes_[i] for i in self.decision(features).argmax(axis=1)]

    def probabilities(self, features: sp.csr_matrix) -> np.ndarray:
        """Soft field membership, rows summing to one (softmax of the decision values)."""
        z = self.sharpness * self.decision(features)
        z = np.exp(z - z.max(axis=1, keepdims=True))
        return z / z.sum(axis=1, keepdims=True)

    def parents(self, features: sp.csr_matrix) -> list[str]:
        """The most probable parent field (``a`` of ``a/b``), its children's probabilities summed.

        Fields written ``parent/child`` train a finer classifier whose parent is often more
        accurate than a classifier of the parents alone (on CSL: see benchmarks/classify.py).
        """
        parents = sorted({c.split("/")[0] for c in self.classes_})
        children = np.array([[c.split("/")[0] == p for p in parents] for c in self.classes_], dtype=np.float64)
        return [parents[i] for i in (self.probabilities(features) @ children).argmax(axis=1)]

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.savez(folder / "field_classifier.npz", coef=self.coef_, intercept=self.intercept_)
        settings = {"classes": self.classes_, "c": self.c, "sharpness": self.sharpness}
        (folder / "field_classifier.json").write_text(json.dumps(settings, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> FieldClassifier | None:
        if not (folder / "field_classifier.json").is_file():
            return None
        settings = json.loads((folder / "field_classifier.json").read_text(encoding="utf-8"))
        clf = cls(c=settings["c"], sharpness=settings["sharpness"])
        arrays = np.load(folder / "field_classifier.npz", allow_pickle=False)
        clf.classes_, clf.coef_, clf.intercept_ = settings["classes"], arrays["coef"], arrays["intercept"]
        return clf
