"""What a reader yields: a ``SourceRow`` (values plus where they came from) and the reader protocol."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from app.errors import Issue

SourceFormat = Literal["csv", "ndjson"]


@dataclass(slots=True)
class SourceRow:
    """One data row: CSV fields (a list in header order) or a parsed JSON object.

    ``values`` is ``None`` for a file-level problem (empty file, header only) that has no row;
    ``issues`` holds what the reader found wrong with the row, if anything.
    """

    file: str
    line: int
    values: list[str] | dict[str, Any] | None
    issues: list[Issue] | None = None


class SourceReader(Protocol):
    """A streaming reader of one export file."""

    name: str
    header: tuple[str, ...] | None
    """Column names for CSV (known after ``open``); ``None`` for NDJSON."""

    def __iter__(self) -> Iterator[SourceRow]: ...

    def close(self) -> None: ...
