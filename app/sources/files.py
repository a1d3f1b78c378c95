"""Opening the reader of a file's format."""

from __future__ import annotations

from pathlib import Path

from app.errors import InputError
from app.sources.csv_reader import CsvReader
from app.sources.ndjson_reader import NdjsonReader
from app.sources.rows import SourceFormat, SourceReader


def open_source(path: Path, *, fmt: SourceFormat, delimiter: str = ",") -> SourceReader:
    """Return an opened streaming reader for ``path``; raises ``InputError`` if it cannot be read."""
    try:
        if fmt == "csv":
            return CsvReader(path, delimiter=delimiter)
        return NdjsonReader(path)
    except OSError as error:
        raise InputError(f"{path.name}: cannot be read ({error.strerror or 'I/O error'})") from None
