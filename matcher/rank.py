"""Pure ranking helpers: top-k without sorting the whole score array."""

from __future__ import annotations

import numpy as np


def top_k(scores: np.ndarray, k: int, *, floor: float = 0.0) -> np.ndarray:
    """Positions of the ``k`` best scores strictly above ``floor``, best first (ties: lower position first).

    >>> top_k(np.array([0.1, 0.0, 0.9, 0.5]), 2).tolist()
    [2, 3]
    >>> top_k(np.array([0.5, 0.7, 0.5, 0.5]), 2).tolist()
    [1, 0]
    """
    candidates = np.flatnonzero(scores > floor)
    if k <= 0 or candidates.size == 0:
        return candidates[:0]
    if candidates.size > k:  # keep every tie of the k-th score, so ties break by position below
        kth = np.partition(scores[candidates], candidates.size - k)[candidates.size - k]
        candidates = candidates[scores[candidates] >= kth]
    order = np.lexsort((candidates, -scores[candidates]))
    return candidates[order][:k]
