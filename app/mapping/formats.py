"""Telling a source's format (CSV or NDJSON) from its file name patterns."""

from __future__ import annotations

from collections.abc import Sequence

from app.sources import SourceFormat

EXTENSIONS: dict[str, SourceFormat] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".ndjson": "ndjson",
    ".jsonl": "ndjson",
}


def format_of_name(name: str) -> SourceFormat | None:
    """Return the format a file name (or pattern) announces by its extension, if any."""
    if "." not in name:
        return None
    return EXTENSIONS.get("." + name.rsplit(".", 1)[-1].lower())


def format_of_patterns(patterns: Sequence[str]) -> SourceFormat | None:
    """Return the format all ``patterns`` announce by their extension, or ``None`` if unclear."""
    formats = {format_of_name(pattern) for pattern in patterns}
    return formats.pop() if len(formats) == 1 else None
