"""A corpus-learned latent channel: TruncatedSVD (LSA) over the word TF-IDF columns of an index.

It needs no downloaded model: the directions are learned from the indexed records themselves,
so words that keep the same company in the corpus land near each other. Its score is the cosine
of the latent vectors, clipped at zero and scaled by a weight, and shown in explanations as one
named part (:data:`SEMANTIC`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD
from sklearn.preprocessing import normalize

SEMANTIC = "（语义相近）"
"""Explanation label of the latent channel's part of a score."""


class LatentSpace:
    """Documents as l2-normalised rows of an SVD of selected TF-IDF columns.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> X = sp.csr_matrix(np.array([[1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 0, 1]], dtype=np.float32))
    >>> space = LatentSpace(dims=2, columns=np.arange(4)).fit(X)
    >>> space.scores(X[:1]).shape
    (1, 3)
    """

    def __init__(self, *, dims: int, columns: np.ndarray, seed: int = 0) -> None:
        self.dims = dims
        self.columns = columns
        self.seed = seed

    def fit(self, matrix: sp.csr_matrix) -> LatentSpace:
        """Learn ``dims`` directions (fewer when the corpus is small) and project the documents."""
        block = matrix[:, self.columns]
        dims = max(1, min(self.dims, block.shape[0] - 1, block.shape[1] - 1))
        svd = TruncatedSVD(dims, random_state=self.seed, n_iter=4).fit(block)
        self.components_ = svd.components_.astype(np.float32)
        self.documents_ = self.project(matrix)
        return self

    def project(self, vectors: sp.csr_matrix) -> np.ndarray:
        """Latent, l2-normalised rows for TF-IDF rows of the same index."""
        block = normalize(vectors[:, self.columns])
        return normalize(np.asarray(block @ self.components_.T, dtype=np.float32))

    def scores(self, queries: sp.csr_matrix) -> np.ndarray:
        """Clipped latent cosines, shape ``(n_queries, n_docs)``."""
        return np.maximum(self.project(queries) @ self.documents_.T, 0.0)

    def extended(self, vectors: sp.csr_matrix) -> LatentSpace:
        """A copy with the documents of ``vectors`` appended (same directions, no refit)."""
        return self._with(np.vstack([self.documents_, self.project(vectors)]))

    def without(self, keep: np.ndarray) -> LatentSpace:
        """A copy holding only the documents where ``keep`` is true."""
        return self._with(self.documents_[np.flatnonzero(keep)])

    def _with(self, documents: np.ndarray) -> LatentSpace:
        other = LatentSpace(dims=self.dims, columns=self.columns, seed=self.seed)
        other.components_, other.documents_ = self.components_, documents
        return other

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.savez(folder / "latent.npz", components=self.components_, documents=self.documents_, columns=self.columns)

    @classmethod
    def load(cls, folder: Path, *, dims: int) -> LatentSpace:
        arrays = np.load(folder / "latent.npz", allow_pickle=False)
        space = cls(dims=dims, columns=arrays["columns"])
        space.components_, space.documents_ = arrays["components"], arrays["documents"]
        return space
