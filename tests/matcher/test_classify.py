from pathlib import Path

import numpy as np
import pytest

from matcher import Achievement, Demand, Filters, Matcher
from matcher.classify import FieldClassifier
from matcher.io import read_records
from matcher.samples import SAMPLE_DIR
from matcher.scoring import QualityParams


@pytest.fixture(scope="module")
def sample() -> list[Achievement]:
    return read_records(SAMPLE_DIR / "achievements.jsonl", Achievement)


def blanked(records: list[Achievement], every: int = 5) -> list[Achievement]:
    return [r.model_copy(update={"field": ""}) if n % every == 0 else r for n, r in enumerate(records)]


def test_missing_fields_are_filled_on_import(sample: list[Achievement]) -> None:
    matcher = Matcher().fit(blanked(sample))
    truth = {r.id: r.field for r in sample}
    filled = [r for n, r in enumerate(matcher.achievements) if n % 5 == 0]
    assert all(r.field for r in filled)
    accuracy = np.mean([r.field == truth[r.id] for r in filled])
    assert accuracy >= 0.6  # 160 examples of 15 fields; chance is 0.07
    kept = {r.id for r in matcher.achievements if r.field == "新能源"}
    found = {m.record.id for m in matcher.match_text("电池", k=200, filters=Filters(field="新能源"))}
    assert found <= kept


def test_filling_can_be_switched_off_and_new_records_are_filled_too(sample: list[Achievement]) -> None:
    records = blanked(sample)
    off = Matcher(quality=QualityParams(fill_fields=False)).fit(records)
    assert sum(not r.field for r in off.achievements) == len(sample[::5])
    matcher = Matcher().fit(sample[:150])
    grown = matcher.upsert(achievements=blanked(sample[150:], every=1))
    assert all(r.field for r in grown.achievements)


def test_field_boost_is_soft_and_named(sample: list[Achievement], tmp_path: Path) -> None:
    matcher = Matcher(quality=QualityParams(field_boost=0.05)).fit(sample)
    match = matcher.match_demand(Demand(id="q", description="锂电池正极材料循环寿命"), k=3)[0]
    assert 0 < match.explanation.boosts["field"] <= 0.05
    assert match.score == pytest.approx(match.text_score + sum(match.explanation.boosts.values()), abs=1e-6)
    given = matcher.match_demand(Demand(id="q", description="锂电池正极材料", field=match.record.field), k=1)[0]
    assert given.explanation.boosts["field"] == pytest.approx(0.05)
    matcher.save(tmp_path / "m")
    again = Matcher.load(tmp_path / "m").match_demand(Demand(id="q", description="锂电池正极材料循环寿命"), k=3)[0]
    assert again.explanation.boosts["field"] == pytest.approx(match.explanation.boosts["field"], abs=1e-6)


def test_too_few_labels_train_nothing() -> None:
    assert not FieldClassifier.trainable(["a"] * 20)
    assert not FieldClassifier.trainable(["a", "b", "", ""])
    assert FieldClassifier.trainable(["a", "b"] * 5)
