import re

import pytest

from matcher import Achievement, Demand, InputError, Maturity
from matcher.records import parse_records


def test_maturity_is_ordered() -> None:
    assert [m.rank for m in (Maturity.SAMPLE, Maturity.LAB, Maturity.PILOT, Maturity.INDUSTRIAL)] == [0, 1, 2, 3]


def test_spreadsheet_values_are_accepted() -> None:
    record = Achievement.model_validate(
        {
            "id": 1001,
            "description": "x",
            "keywords": "石墨烯、导热膜",
            "cooperation_modes": "转让，开放许可",
            "price": "面议",
        }
    )
    assert record.id == "1001"
    assert record.keywords == ["石墨烯", "导热膜"]
    assert [m.value for m in record.cooperation_modes] == ["技术转让", "技术许可"]
    assert record.price is None


def test_every_bad_field_is_named_with_its_row() -> None:
    rows = [
        (2, {"id": "a", "description": "", "maturity": "量产"}),
        (3, {"id": "b", "description": "ok", "budget": "很多", "deadline": "明年"}),
        (4, {"id": "b", "description": "dup"}),
        (5, "not an object"),
    ]
    with pytest.raises(InputError) as caught:
        parse_records(rows, Demand, "demands.csv")
    text = str(caught.value)
    assert "demands.csv row 2: field 'description': must not be empty" in text
    assert re.search(r"row 2: field 'maturity': '量产' is not one of 样品/小试/中试/产业化", text)
    assert "row 3: field 'budget'" in text and "row 3: field 'deadline'" in text
    assert "row 4: field 'id': duplicate id 'b' (first at row 3)" in text
    assert "row 5" in text
    assert len(caught.value.problems) == 6


def test_negative_price_is_refused() -> None:
    with pytest.raises(InputError, match="price"):
        parse_records([(1, {"id": "a", "description": "x", "price": -3})], Achievement, "a.jsonl")


@pytest.mark.parametrize("money", [float("inf"), "inf", float("nan")])
def test_infinite_or_nan_money_is_refused(money: object) -> None:
    """JSON parsers accept Infinity and NaN; neither is a price (nor can it be written back as JSON)."""
    with pytest.raises(InputError, match="price"):
        parse_records([(1, {"id": "a", "description": "x", "price": money})], Achievement, "a.jsonl")
