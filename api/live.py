"""The index that follows the database: writes swap in a new Matcher, readers never wait.

Readers take :attr:`LiveIndex.matcher` (one reference read) and keep that object for their whole
request; writers hold a lock across "store in the database, then swap the index", so the index
sees writes in the order the database did. A rebuild refits from the database in a thread while
the old index serves, then replays the writes it missed (upserts and removals are idempotent).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TypeVar

from matcher import Achievement, Demand, Matcher
from matcher.snapshot import Loader, Opened, Snapshots

from .schemas import Freshness

T = TypeVar("T")
Change = Callable[[Matcher], Matcher]

log = logging.getLogger(__name__)


def upserting(records: Sequence[Achievement | Demand]) -> Change:
    """The index change for stored (new or replaced) records."""
    achievements = [r for r in records if isinstance(r, Achievement)]
    demands = [r for r in records if isinstance(r, Demand)]
    return lambda matcher: matcher.upsert(achievements=achievements, demands=demands)


def removing(kind: type[Achievement] | type[Demand], id: str) -> Change:
    """The index change for a deleted record."""
    if kind is Achievement:
        return lambda matcher: matcher.remove(achievement_ids=[id])
    return lambda matcher: matcher.remove(demand_ids=[id])


class LiveIndex:
    """The current :class:`Matcher` for a running service, kept in step with the database."""

    def __init__(self, template: Matcher, load: Loader, snapshots: Snapshots | None = None) -> None:
        self._template = template
        self._load = load
        self._snapshots = snapshots
        self._lock = threading.Lock()
        self._pending: list[Change] | None = None
        self._thread: threading.Thread | None = None
        self._last_error: str | None = None
        opened = self._open(exact=False)
        self._matcher, self._source = opened.matcher, opened.how
        self._refitted_at, self._writes = opened.fitted_at, opened.changes

    def _open(self, *, exact: bool) -> Opened:
        """A matcher on every stored record: fitted, or the saved one when ``snapshots`` has it (see
        :meth:`Snapshots.open`; ``exact`` for a rebuild)."""
        if self._snapshots is not None:
            opened = self._snapshots.open(self._load, exact=exact)
            log.info(
                "index %s from %s (%d changes since it was fitted)", opened.how, self._snapshots.folder, opened.changes
            )
            return opened
        now = datetime.now(UTC)
        return Opened(self._template.blank().fit(*self._load()), "fitted", now, 0)

    @property
    def matcher(self) -> Matcher:
        return self._matcher

    def write(self, store: Callable[[], T], change: Change) -> T:
        """Build the changed index, run ``store`` (a database transaction), then swap the index in.

        The index is changed first because that may fail too: then nothing is stored.
        """
        with self._lock:
            changed = change(self._matcher)
            result = store()
            self._matcher = changed
            self._writes += 1
            if self._pending is not None:
                self._pending.append(change)
        return result

    def rebuild(self) -> bool:
        """Start a refit in the background; False when one is running already."""
        with self._lock:
            if self._pending is not None:
                return False
            self._pending = []
            self._thread = threading.Thread(target=self._rebuild, name="techmatch-rebuild", daemon=True)
            self._thread.start()
        return True

    def _rebuild(self) -> None:
        try:
            opened = self._open(exact=True)
        except Exception as error:  # a background thread must report, not die silently
            log.exception("index rebuild failed; the old index keeps serving")
            with self._lock:
                self._pending, self._last_error = None, f"{type(error).__name__}: {error}"
            return
        with self._lock:
            missed = self._pending or []
            fresh = opened.matcher
            for change in missed:
                fresh = change(fresh)
            self._matcher, self._pending, self._source = fresh, None, opened.how
            self._refitted_at, self._writes, self._last_error = opened.fitted_at, len(missed), None

    def wait(self, timeout: float | None = None) -> None:
        """Block until a running rebuild has finished (for ``?wait=true`` and shutdown)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def freshness(self) -> Freshness:
        with self._lock:
            return Freshness(
                refitted_at=self._refitted_at,
                writes_since_refit=self._writes,
                rebuilding=self._pending is not None,
                last_error=self._last_error,
                source=self._source,
            )
