"""Streaming NDJSON reader (FHIR Bulk Data: one resource per line, one resource type per file)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import orjson

from app.errors import Issue
from app.sources.rows import SourceRow

NOT_UTF8 = "not valid UTF-8"
NOT_JSON = "not valid JSON"
NOT_OBJECT = "not a JSON object"
EMPTY_FILE = "empty file (no resources)"
TRUNCATED = "truncated last line (no line end and unterminated JSON)"


class NdjsonReader:
    """Read newline-delimited JSON, yielding ``SourceRow``s whose values are the parsed objects."""

    header: tuple[str, ...] | None = None

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = path.name
        self._handle: BinaryIO = path.open("rb")

    def __iter__(self) -> Iterator[SourceRow]:
        rows = 0
        for number, line in enumerate(self._handle, start=1):
            if not line.strip():
                continue
            rows += 1
            try:
                value = orjson.loads(line)
            except orjson.JSONDecodeError:
                yield SourceRow(self.name, number, None, [self._parse_issue(line, number)])
                continue
            if not isinstance(value, dict):
                yield SourceRow(self.name, number, None, [Issue(NOT_OBJECT, self.name, number)])
                continue
            yield SourceRow(self.name, number, value)
        if rows == 0:
            yield SourceRow(self.name, 0, None, [Issue(EMPTY_FILE, self.name)])

    def _parse_issue(self, line: bytes, number: int) -> Issue:
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            return Issue(NOT_UTF8, self.name, number)
        # Only the last line of a file can lack its line end.
        if not line.endswith(b"\n"):
            return Issue(TRUNCATED, self.name, number)
        return Issue(NOT_JSON, self.name, number)

    def close(self) -> None:
        """Close the file."""
        self._handle.close()
