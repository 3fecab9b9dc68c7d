"""The two kinds of record techmatch matches: 科技成果 (Achievement) and 技术需求 (Demand).

Records are validated pydantic models, so the CLI, the batch script and the API share one set
of rules, and every bad value is reported with its field by :func:`parse_records`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator

from .errors import InputError, Problem


class Maturity(StrEnum):
    """Maturity stage, ordered from a lab sample to industrial production."""

    SAMPLE = "样品"
    LAB = "小试"
    PILOT = "中试"
    INDUSTRIAL = "产业化"

    @property
    def rank(self) -> int:
        return _MATURITY_ORDER.index(self)


_MATURITY_ORDER = list(Maturity)


class CooperationMode(StrEnum):
    TRANSFER = "技术转让"
    LICENCE = "技术许可"
    EQUITY = "作价入股"
    JOINT_DEVELOPMENT = "合作开发"
    SERVICE = "技术服务"


_MODE_ALIASES = {
    "转让": "技术转让",
    "许可": "技术许可",
    "开放许可": "技术许可",
    "普通许可": "技术许可",
    "独占许可": "技术许可",
    "入股": "作价入股",
    "技术入股": "作价入股",
    "联合开发": "合作开发",
    "技术咨询": "技术服务",
    "咨询": "技术服务",
}

_LIST_SEPARATORS = re.compile(r"[、,，;；|/\s]+")
_UNPRICED = {"", "面议", "议价", "协商", "none", "null"}

OWNER_TYPES = ("高校", "科研院所", "医院", "新型研发机构", "企业", "个人")

FIELDS = (
    "新一代信息技术",
    "集成电路",
    "新型显示",
    "人工智能",
    "新能源汽车",
    "大健康与生物技术",
    "生物医药",
    "高端医疗器械",
    "智能制造",
    "新材料",
    "新能源",
    "节能环保",
    "航空航天",
    "北斗导航",
    "轨道交通",
    "海洋工程与船舶",
    "冶金与有色金属",
    "化工",
    "现代农业/良种培育",
    "现代农业/高效种植",
    "现代农业/健康养殖",
    "现代农业/智慧农业",
    "现代农业/农机设备",
    "现代农业/农产品深加工",
    "花卉",
)
"""Fields named by the platforms; records may carry others (a platform has its own list).

A sub-field is written ``parent/child`` so that filtering on the parent selects all children.
"""


def _split_list(value: Any) -> Any:
    """Accept a list, or one string separated by 、 , ; | / (as spreadsheets hold it)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part for part in _LIST_SEPARATORS.split(value.strip()) if part]
    return value


def _split_modes(value: Any) -> Any:
    value = _split_list(value)
    if isinstance(value, list):
        return [_MODE_ALIASES.get(v, v) if isinstance(v, str) else v for v in value]
    return value


def _money(value: Any) -> Any:
    """万元 amounts: a number, or 面议 / empty for 'not stated'."""
    if isinstance(value, str):
        text = value.strip().removesuffix("万元").removesuffix("万").strip()
        if text.lower() in _UNPRICED:
            return None
        return text
    return value


def _optional(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


StrList = Annotated[list[str], BeforeValidator(_split_list)]
Modes = Annotated[list[CooperationMode], BeforeValidator(_split_modes)]
Money = Annotated[Annotated[float, Field(ge=0, allow_inf_nan=False)] | None, BeforeValidator(_money)]


class Record(BaseModel):
    """What achievements and demands share: the text that is matched and the filter fields."""

    model_config = ConfigDict(frozen=True, extra="ignore", str_strip_whitespace=True)

    id: str = Field(min_length=1, max_length=128)
    title: str = Field(default="", max_length=500)
    description: str = Field(min_length=1)
    keywords: StrList = Field(default_factory=list)
    field: str = Field(default="", max_length=100)
    region: str = Field(default="", max_length=100)
    maturity: Annotated[Maturity | None, BeforeValidator(_optional)] = None
    cooperation_modes: Modes = Field(default_factory=list)
    owner_type: str = Field(default="", max_length=50)
    contact: str = Field(default="", max_length=200)

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, value: Any) -> Any:
        """Spreadsheets turn ids like 1001 into numbers; an id is always text."""
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return value

    @field_validator("title", "field", "region", "owner_type", "contact", mode="before")
    @classmethod
    def _none_as_empty(cls, value: Any) -> Any:
        return "" if value is None else value


class Achievement(Record):
    """科技成果: what a university, institute, hospital or company offers."""

    owner: str = Field(default="", max_length=200)
    patent_numbers: StrList = Field(default_factory=list)
    price: Money = None

    @field_validator("owner", mode="before")
    @classmethod
    def _owner_none(cls, value: Any) -> Any:
        return "" if value is None else value


class Demand(Record):
    """技术需求: a company's problem; ``maturity`` is the lowest stage it can use."""

    company: str = Field(default="", max_length=200)
    budget: Money = None
    deadline: Annotated[date | None, BeforeValidator(_optional)] = None

    @field_validator("company", mode="before")
    @classmethod
    def _company_none(cls, value: Any) -> Any:
        return "" if value is None else value


R = TypeVar("R", bound=Record)


def problems_of(error: ValidationError, source: str, row: int | None) -> list[Problem]:
    """Turn pydantic's error list into our one-line-per-field problems."""
    problems = []
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"] if not isinstance(part, int)) or "record"
        message = item["msg"]
        if item["type"] == "enum":
            allowed = "/".join(re.findall(r"'([^']*)'", item.get("ctx", {}).get("expected", "")))
            message = f"{item['input']!r} is not one of {allowed}"
        elif item["type"] == "missing" or (item["type"] == "string_type" and item.get("input") is None):
            message = "is required"
        elif item["type"] == "string_too_short" and item.get("ctx", {}).get("min_length") == 1:
            message = "must not be empty"
        problems.append(Problem(source, row, field, message))
    return problems


def validate_rows(rows: Iterable[tuple[int | None, Any]], kind: type[R], source: str) -> Iterator[R | Problem]:
    """Each row as a record, or the problems found in it, in file order (streaming: nothing is kept
    but the ids seen, so duplicate ids are problems too)."""
    seen: dict[str, int | None] = {}
    for row, data in rows:
        if isinstance(data, Problem):
            yield data
            continue
        if not isinstance(data, dict):
            yield Problem(source, row, "", f"expected an object, got {type(data).__name__}")
            continue
        raw_id = str(data.get("id", "")).strip()
        if raw_id and raw_id in seen:
            yield Problem(source, row, "id", f"duplicate id {raw_id!r} (first at row {seen[raw_id]})")
            continue
        if raw_id:
            seen[raw_id] = row
        try:
            yield kind.model_validate(data)
        except ValidationError as error:
            yield from problems_of(error, source, row)


def split_valid(rows: Iterable[tuple[int | None, Any]], kind: type[R], source: str) -> tuple[list[R], list[Problem]]:
    """The good records and the problems of the bad rows (for runs that skip invalid rows)."""
    records: list[R] = []
    problems: list[Problem] = []
    for item in validate_rows(rows, kind, source):
        (problems if isinstance(item, Problem) else records).append(item)  # type: ignore[arg-type]
    return records, problems


def parse_records(rows: Iterable[tuple[int | None, Any]], kind: type[R], source: str) -> list[R]:
    """Validate every row, then raise one :class:`InputError` listing all bad rows (or none).

    ``rows`` yields ``(row_number, mapping)``; duplicate ids are problems too.
    """
    records, problems = split_valid(rows, kind, source)
    if problems:
        raise InputError(problems)
    return records
