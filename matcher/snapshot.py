"""A fitted matcher kept on disk with the records it was fitted on, so later starts and other processes load it.

Fitting 100,000 achievements takes minutes; loading the saved folder takes seconds, and its index
columns are memory-mapped, so the processes that load the same folder (several API workers, a
restart) share one copy of them in the page cache. The folder is tied to its records by a hash of
each record: opening it for records of which a few were changed, added or removed since loads the
saved matcher and applies the difference, as the live service does after a write (new records use
the saved vocabulary and IDF); many changes, other settings or other dictionaries fit anew and save.

One process at a time fits or saves: the others wait on a lock file (POSIX ``flock``) and then load
what it saved.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import shutil
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, NamedTuple

from .engine import Matcher
from .errors import MatcherError
from .records import Achievement, Demand, Record

REFIT_SHARE = 0.1
"""Above this share of changed, added or removed records, opening fits anew instead of updating."""

MANIFEST = "current.json"
How = Literal["fitted", "loaded", "updated"]
Loader = Callable[[], tuple[Sequence[Achievement], Sequence[Demand]]]


class Opened(NamedTuple):
    """The matcher for the records asked for, how it was made, when it was fitted and how many changes followed."""

    matcher: Matcher
    how: How
    fitted_at: datetime
    changes: int


@dataclass(frozen=True)
class Difference:
    """What changed on both sides between the saved records and the ones asked for."""

    achievements: list[Achievement]
    demands: list[Demand]
    removed_achievements: list[str]
    removed_demands: list[str]

    @property
    def count(self) -> int:
        return sum(
            len(part) for part in (self.achievements, self.demands, self.removed_achievements, self.removed_demands)
        )

    def applied(self, matcher: Matcher) -> Matcher:
        removed = matcher.remove(achievement_ids=self.removed_achievements, demand_ids=self.removed_demands)
        return removed.upsert(achievements=self.achievements, demands=self.demands)


class Snapshots:
    """The saved matcher under ``folder``: ``current.json`` names its subfolder, settings and record hashes.

    ``template`` gives the tokenizer and settings that a saved matcher must have been made with.
    """

    def __init__(self, folder: str | Path, template: Matcher) -> None:
        self.folder = Path(folder)
        self.template = template

    def open(self, load: Loader, *, exact: bool = False) -> Opened:
        """A matcher for exactly the records ``load`` gives: the saved one (updated by a small difference), or a new fit.

        With ``exact`` (a rebuild) the saved matcher is used only when nothing changed; otherwise a
        new fit is saved and returned, loaded back from disk so that this process shares it too.
        The records are asked for here, not passed in, so that they can be let go before the saved
        ones are read: a process never holds both copies (their memory would stay with it).
        """
        usable_folder(self.folder)
        records = load()
        hashes = {"achievements": _hashes(records[0]), "demands": _hashes(records[1])}
        with self._locked():
            manifest = self._manifest()
            if manifest is not None:
                difference = _difference(manifest, hashes, *records)
                allowed = 0 if exact else REFIT_SHARE * max(len(records[0]) + len(records[1]), 1)
                if difference.count <= allowed:
                    del records
                    matcher = Matcher.load(self.folder / manifest["name"])
                    matcher.save_rows(self.folder / manifest["name"])  # a folder saved by an older version
                    fitted_at = datetime.fromisoformat(manifest["fitted_at"])
                    if not difference.count:
                        return Opened(matcher, "loaded", fitted_at, 0)
                    return Opened(difference.applied(matcher), "updated", fitted_at, difference.count)
            fitted_at = datetime.now(UTC)
            fitted = self.template.blank().fit(*records)
            del records
            return Opened(Matcher.load(self._save(fitted, hashes, fitted_at)), "fitted", fitted_at, 0)

    def _settings(self) -> dict[str, Any]:
        """The template's settings and dictionaries, as the manifest keeps them (JSON, so lists not tuples)."""
        tokenizer = self.template.tokenizer
        dictionaries = hashlib.blake2b(
            tokenizer.user_dict.read_bytes() + b"\0" + tokenizer.stop_words_path.read_bytes()
        )
        settings = {"matcher": self.template.settings(), "dictionaries": dictionaries.hexdigest()}
        return json.loads(json.dumps(settings))  # type: ignore[no-any-return]

    def _manifest(self) -> dict[str, Any] | None:
        """The manifest when it is readable, made with these settings and names a saved folder; else None."""
        try:
            manifest = json.loads((self.folder / MANIFEST).read_text(encoding="utf-8"))
            datetime.fromisoformat(manifest["fitted_at"])
            usable = (
                manifest["settings"] == self._settings()
                and isinstance(manifest["achievements"], dict)
                and isinstance(manifest["demands"], dict)
                and (self.folder / str(manifest["name"]) / "matcher.json").is_file()
            )
        except (OSError, ValueError, TypeError, KeyError):
            return None
        return manifest if usable else None

    def _save(self, matcher: Matcher, hashes: dict[str, dict[str, str]], fitted_at: datetime) -> Path:
        """Save into a new subfolder, then switch the manifest to it and remove the older ones."""
        name = "matcher-" + hashlib.blake2b(json.dumps(hashes, sort_keys=True).encode(), digest_size=8).hexdigest()
        target, part = self.folder / name, self.folder / f".{name}.part"
        for stale in (target, part):
            shutil.rmtree(stale, ignore_errors=True)
        matcher.save(part)
        part.rename(target)
        manifest = {"name": name, "fitted_at": fitted_at.isoformat(), "settings": self._settings(), **hashes}
        written = self.folder / f".{MANIFEST}.part"
        written.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
        written.replace(self.folder / MANIFEST)
        for old in self.folder.glob("matcher-*"):  # processes that mapped them keep their open files
            if old != target:
                shutil.rmtree(old, ignore_errors=True)
        return target

    @contextmanager
    def _locked(self) -> Iterator[None]:
        with open(self.folder / ".lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)


def usable_folder(folder: Path) -> None:
    """Create ``folder`` if needed and check that files can be written in it; a clear error otherwise."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / ".lock").touch()
    except OSError as error:
        raise MatcherError(f"{folder}: cannot keep the index there ({error.strerror or error})") from None


def _hashes(records: Sequence[Record]) -> dict[str, str]:
    """Id -> a hash of the whole record: any edited field changes it."""
    return {r.id: hashlib.blake2b(r.model_dump_json().encode(), digest_size=12).hexdigest() for r in records}


def _difference(
    manifest: dict[str, Any],
    hashes: dict[str, dict[str, str]],
    achievements: Sequence[Achievement],
    demands: Sequence[Demand],
) -> Difference:
    def changed(side: str, records: Sequence[Any]) -> list[Any]:
        return [r for r in records if manifest[side].get(r.id) != hashes[side][r.id]]

    def removed(side: str) -> list[str]:
        return sorted(set(manifest[side]) - set(hashes[side]))

    return Difference(
        changed("achievements", achievements), changed("demands", demands), removed("achievements"), removed("demands")
    )
