"""Domain exceptions: the engine raises these, the edges (CLI, API) translate them."""

from __future__ import annotations

from dataclasses import dataclass


class MatcherError(Exception):
    """Base class of every error the engine raises on purpose."""


class NotFittedError(MatcherError):
    """An index or matcher was queried before it was fitted or loaded."""


@dataclass(frozen=True)
class Problem:
    """One bad value: where it is (source, row, field) and why it is bad."""

    source: str
    row: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = self.source if self.row is None else f"{self.source} row {self.row}"
        field = f"field '{self.field}': " if self.field else ""
        return f"{where}: {field}{self.message}"


class InputError(MatcherError):
    """Bad input, with every problem found (never just the first one)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    @classmethod
    def single(cls, source: str, message: str, *, row: int | None = None, field: str = "") -> InputError:
        return cls([Problem(source, row, field, message)])
