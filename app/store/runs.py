"""The ``ingest_run`` table: one row per committed ingest or erasure, never a row value.

It answers two questions the node is asked: when the data were last refreshed (``data_as_of``,
shown by ``/health`` and in every answer) and whether they changed since an answer was cached
(``data_version``: any committed ingest or erasure gives a new version).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, Table, func, select

from app.store.models import IngestRun, RecordBase

RUNS: Table = RecordBase.metadata.tables[str(IngestRun.__tablename__)]
INGEST_STATUSES = ("ok", "partial")
"""Statuses of ingests that stored data (``partial``: with --skip-invalid and rejected rows)."""
ERASED = "erased"


def utc_stamp(epoch_s: float) -> str:
    """Return ``epoch_s`` (a clock reading) as UTC to the second: ``2026-11-20T08:00:00Z``."""
    return datetime.fromtimestamp(epoch_s, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def record_run(
    connection: Connection,
    *,
    started_at: str | None,
    finished_at: str | None,
    mapping: str,
    status: str,
    counts: dict[str, Any],
) -> int | None:
    """Insert one run row inside the caller's transaction; return its id."""
    result = connection.execute(
        RUNS.insert().values(
            started_at=started_at,
            finished_at=finished_at,
            mapping=mapping[:200],
            status=status,
            counts_json=orjson.dumps(counts).decode(),
        )
    )
    key = result.inserted_primary_key
    return int(key[0]) if key else None


def data_as_of(engine: Engine) -> str | None:
    """Return the finish time of the last ingest that stored data (``None`` before the first)."""
    with engine.connect() as connection:
        finished: str | None = connection.execute(
            select(RUNS.c.finished_at)
            .where(RUNS.c.status.in_(INGEST_STATUSES))
            .order_by(RUNS.c.id.desc())
            .limit(1)
        ).scalar()
    return finished


def data_version(engine: Engine) -> str:
    """Return an opaque version of the stored data: it changes with every ingest or erasure."""
    with engine.connect() as connection:
        latest = connection.execute(select(func.max(RUNS.c.id))).scalar()
    return f"run-{latest or 0}"
