"""numba's threading layer, and the one lock its parallel kernels run under.

GNU OpenMP, numba's default layer on Linux, kills a forked child that runs a parallel kernel (the
batch runner's worker processes are forked, and so are notebook measurements); the workqueue layer
survives fork but must never be entered by two threads at once (the API serves requests on a thread
pool), hence :func:`serialized`. A layer chosen with ``NUMBA_THREADING_LAYER`` is left alone.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import numba

if "NUMBA_THREADING_LAYER" not in os.environ:
    numba.config.THREADING_LAYER = "workqueue"

_LOCK = threading.Lock()
F = TypeVar("F", bound=Callable[..., Any])


def serialized(kernel: F) -> F:
    """``kernel`` (a parallel numba function), entered by one thread at a time; it uses every core anyway."""

    @functools.wraps(kernel)
    def call(*args: Any) -> Any:
        with _LOCK:
            return kernel(*args)

    return call  # type: ignore[return-value]
