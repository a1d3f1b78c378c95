"""Readers for synthetic exports, shared by the synth tests."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import orjson


def read_csv(path: Path) -> list[dict[str, str]]:
    """Return the rows of a CSV file as dicts keyed by the header."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def read_ndjson(path: Path) -> list[dict]:
    """Return the JSON objects of an NDJSON file."""
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def instant(text: str) -> datetime:
    """Parse an ISO 8601 instant, insisting on an explicit UTC offset."""
    value = datetime.fromisoformat(text)
    assert value.tzinfo is not None, text
    return value


def utc_day(text: str) -> str:
    """The UTC calendar date of an instant, as the measures use it."""
    return instant(text).astimezone(UTC).date().isoformat()
