"""Snapshots: a saved matcher is reused for the same records, updated for a few changes, refitted otherwise."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
import pytest

import matcher.snapshot as snapshot
from matcher import Achievement, ChineseTokenizer, IndexParams, Matcher
from matcher.snapshot import Snapshots
from tests.conftest import ACHIEVEMENTS, DEMANDS


def matches(matcher: Matcher) -> list[list[tuple[object, float, object]]]:
    return [[(m.record, m.score, m.explanation) for m in matcher.match_demand(d)] for d in DEMANDS]


@pytest.fixture
def template(tokenizer: ChineseTokenizer) -> Matcher:
    return Matcher(tokenizer=tokenizer)


def test_the_first_open_fits_and_saves_and_the_next_loads_the_same_matcher(template: Matcher, tmp_path: Path) -> None:
    first = Snapshots(tmp_path, template).open(lambda: (ACHIEVEMENTS, DEMANDS))
    second = Snapshots(tmp_path, template).open(lambda: (ACHIEVEMENTS, DEMANDS))
    assert (first.how, second.how) == ("fitted", "loaded")
    assert second.fitted_at == first.fitted_at and second.changes == 0
    assert matches(second.matcher) == matches(first.matcher) == matches(template.blank().fit(ACHIEVEMENTS, DEMANDS))
    columns = second.matcher.achievements_.index.segments_[0][0]
    assert isinstance(columns.data, np.memmap)  # shared through the page cache by every process that loads it


def test_a_folder_saved_without_rows_is_given_them_at_the_next_open(template: Matcher, tmp_path: Path) -> None:
    """A folder an older version saved: the first process to open it writes the rows, the others map them."""
    first = Snapshots(tmp_path, template).open(lambda: (ACHIEVEMENTS, DEMANDS))
    saved = list(tmp_path.glob("matcher-*/*_index/rows_*.npy"))
    assert len(saved) == 6  # three arrays for each side
    for old in saved:
        old.unlink()
    second = Snapshots(tmp_path, template).open(lambda: (ACHIEVEMENTS, DEMANDS))
    assert second.how == "loaded"
    assert sorted(tmp_path.glob("matcher-*/*_index/rows_*.npy")) == sorted(saved)
    assert isinstance(second.matcher.achievements_.index._rows.data, np.memmap)
    assert matches(second.matcher) == matches(first.matcher)


def test_a_few_changes_are_applied_to_the_saved_matcher(
    template: Matcher, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Snapshots(tmp_path, template).open(lambda: (ACHIEVEMENTS, DEMANDS))
    monkeypatch.setattr(snapshot, "REFIT_SHARE", 0.5)
    edited = ACHIEVEMENTS[0].model_copy(update={"title": "干法锂电池隔膜制备技术"})
    new = Achievement(id="a-new", title="石墨烯导热膜量产工艺", description="高导热石墨烯薄膜的连续化制备。")
    records = [edited, *ACHIEVEMENTS[2:], new]
    opened = Snapshots(tmp_path, template).open(lambda: (records, DEMANDS))
    assert (opened.how, opened.changes) == ("updated", 3)  # one edited, one added, one removed
    held = {a.id: a for a in opened.matcher.achievements}
    assert set(held) == {a.id for a in records}
    assert held[edited.id].title == edited.title
    assert opened.matcher.match_text("石墨烯导热膜", k=1)[0].record.id == "a-new"


def test_many_changes_fit_anew(template: Matcher, tmp_path: Path) -> None:
    Snapshots(tmp_path, template).open(lambda: (ACHIEVEMENTS, DEMANDS))
    opened = Snapshots(tmp_path, template).open(lambda: (ACHIEVEMENTS[:2], DEMANDS))
    assert opened.how == "fitted"
    assert {a.id for a in opened.matcher.achievements} == {a.id for a in ACHIEVEMENTS[:2]}
    assert len(list(tmp_path.glob("matcher-*"))) == 1  # the older folder is gone


def test_exact_reuses_only_an_unchanged_snapshot(template: Matcher, tmp_path: Path) -> None:
    snapshots = Snapshots(tmp_path, template)
    snapshots.open(lambda: (ACHIEVEMENTS, DEMANDS))
    assert snapshots.open(lambda: (ACHIEVEMENTS, DEMANDS), exact=True).how == "loaded"
    edited = [ACHIEVEMENTS[0].model_copy(update={"title": "干法隔膜"}), *ACHIEVEMENTS[1:]]
    assert snapshots.open(lambda: (edited, DEMANDS), exact=True).how == "fitted"


def test_other_settings_fit_anew(template: Matcher, tokenizer: ChineseTokenizer, tmp_path: Path) -> None:
    Snapshots(tmp_path, template).open(lambda: (ACHIEVEMENTS, DEMANDS))
    other = Matcher(tokenizer=tokenizer, params=IndexParams(char_weight=0.5))
    opened = Snapshots(tmp_path, other).open(lambda: (ACHIEVEMENTS, DEMANDS))
    assert opened.how == "fitted" and opened.matcher.params.char_weight == 0.5


@pytest.mark.parametrize("manifest", ["{not json", json.dumps({"name": "matcher-missing"}), "[]"])
def test_a_broken_or_partial_manifest_fits_anew(template: Matcher, tmp_path: Path, manifest: str) -> None:
    Snapshots(tmp_path, template).open(lambda: (ACHIEVEMENTS, DEMANDS))
    (tmp_path / "current.json").write_text(manifest)
    opened = Snapshots(tmp_path, template).open(lambda: (ACHIEVEMENTS, DEMANDS))
    assert opened.how == "fitted" and matches(opened.matcher) == matches(template.blank().fit(ACHIEVEMENTS, DEMANDS))


def test_processes_starting_together_fit_once(
    template: Matcher, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fits = []
    fit = Matcher.fit

    def counted(self: Matcher, *args: object, **kwargs: object) -> Matcher:
        fits.append(threading.get_ident())
        return fit(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Matcher, "fit", counted)
    results: list[str] = []
    workers = [
        threading.Thread(
            target=lambda: results.append(Snapshots(tmp_path, template).open(lambda: (ACHIEVEMENTS, DEMANDS)).how)
        )
        for _ in range(3)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert sorted(results) == ["fitted", "loaded", "loaded"] and len(fits) == 1
