"""Streaming CSV reader: one row at a time, physical line numbers, UTF-8 and shape checks."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from app.errors import Issue
from app.sources.rows import SourceRow

NOT_UTF8 = "not valid UTF-8"
EMPTY_FILE = "empty file (no header)"
HEADER_ONLY = "header only, no data rows"
TRUNCATED = "truncated last line (no line end and fewer fields than the header)"
UNTERMINATED_QUOTE = "unterminated quoted field at end of file"
MALFORMED = "malformed CSV row (stray quote or a field over 128 KiB)"


class CsvReader:
    """Read a UTF-8 CSV export with a header row, yielding ``SourceRow``s with list values.

    Bytes that are not UTF-8 are kept as surrogates (so the row can still be located) and reported
    as an issue on the field that holds them.
    """

    def __init__(self, path: Path, *, delimiter: str = ",") -> None:
        self.path = path
        self.name = path.name
        self.delimiter = delimiter
        # utf-8-sig drops a byte-order mark that spreadsheet tools like to write.
        self._handle: TextIO = path.open(encoding="utf-8-sig", errors="surrogateescape", newline="")
        self._bad_lines: set[int] = set()
        self._line_count = 0
        self._unterminated = False
        self._reader = csv.reader(self._lines(), delimiter=delimiter, strict=True)
        self.header: tuple[str, ...] | None = None
        self._header_issue: Issue | None = None
        self._read_header()

    def _lines(self) -> Iterator[str]:
        for line in self._handle:
            self._line_count += 1
            # ASCII lines (nearly all) need no further check; surrogates mark undecodable bytes.
            if not line.isascii():
                try:
                    line.encode("utf-8")
                except UnicodeEncodeError:
                    self._bad_lines.add(self._line_count)
            self._unterminated = not line.endswith("\n")
            yield line

    def _read_header(self) -> None:
        try:
            first = next(self._reader, None)
        except csv.Error:
            self._header_issue = Issue("malformed header row", self.name, 1)
            return
        if not first:
            self._header_issue = Issue(EMPTY_FILE, self.name)
            return
        if 1 in self._bad_lines:
            self._header_issue = Issue(NOT_UTF8, self.name, 1)
            return
        self.header = tuple(column.strip() for column in first)

    def __iter__(self) -> Iterator[SourceRow]:
        if self._header_issue is not None:
            yield SourceRow(self.name, 0, None, [self._header_issue])
            return
        width = len(self.header or ())
        reader = self._reader
        previous_end = reader.line_num
        rows = 0
        while True:
            try:
                fields = next(reader, None)
            except csv.Error:
                start = previous_end + 1
                previous_end = reader.line_num
                rule = UNTERMINATED_QUOTE if self._unterminated else MALFORMED
                yield SourceRow(self.name, start, None, [Issue(rule, self.name, start)])
                rows += 1
                continue
            if fields is None:
                break
            start = previous_end + 1
            previous_end = reader.line_num
            if not fields:
                continue  # blank line
            rows += 1
            issues = None
            if len(fields) != width or self._bad_lines:
                issues = self._row_issues(fields, start, previous_end)
            yield SourceRow(self.name, start, fields, issues)
        if rows == 0:
            yield SourceRow(self.name, 0, None, [Issue(HEADER_ONLY, self.name, 1)])

    def _row_issues(self, fields: list[str], start: int, end: int) -> list[Issue] | None:
        header = self.header or ()
        issues: list[Issue] = []
        width = len(header)
        if len(fields) < width:
            # Only the last line can lack its line end, so this row is the truncated end of file.
            rule = TRUNCATED if self._unterminated else f"row has {len(fields)} of {width} fields"
            issues.append(Issue(rule, self.name, start, header[len(fields)]))
        elif len(fields) > width:
            issues.append(Issue(f"row has {len(fields)} fields, header {width}", self.name, start))
        if any(line in self._bad_lines for line in range(start, end + 1)):
            for index, value in enumerate(fields):
                if not value.isascii() and _has_surrogates(value):
                    column = header[index] if index < width else f"column {index + 1}"
                    issues.append(Issue(NOT_UTF8, self.name, start, column))
        return issues or None

    def close(self) -> None:
        """Close the file."""
        self._handle.close()


def _has_surrogates(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
