"""Choosing and opening a reader by file type."""

from __future__ import annotations

from pathlib import Path

from app.sources.csv_reader import CsvReader
from app.sources.ndjson_reader import NdjsonReader
from app.sources.rows import SourceFormat, SourceReader


def source_format(path: Path) -> SourceFormat | None:
    """Return the format a file's extension announces, or ``None`` when it is not an export file."""
    suffix = path.suffix.lower()
    if suffix in {".csv", ".tsv", ".txt"}:
        return "csv"
    if suffix in {".ndjson", ".jsonl"}:
        return "ndjson"
    return None


def open_source(path: Path, *, fmt: SourceFormat, delimiter: str = ",") -> SourceReader:
    """Return an opened streaming reader for ``path``; raises ``OSError`` when it cannot be read."""
    if fmt == "csv":
        return CsvReader(path, delimiter=delimiter)
    return NdjsonReader(path)
