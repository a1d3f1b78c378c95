"""A dry run's view of the store: read only, so that it leaves no trace.

A dry run never creates the database (a missing SQLite file stays missing: every valid row counts as
new), never migrates its schema (on another schema version it validates only) and never writes: its
connection is read-only (SQLite ``query_only``, a PostgreSQL read-only transaction).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, inspect

from app.errors import Issue
from app.store.erase import ERASED_PATIENTS, erased_patients
from app.store.migrations import SCHEMA_VERSION, node_schema_version
from app.store.writer import TABLES, StoreWriter

Counter = Callable[[str, list[dict[str, Any]]], tuple[int, int, int]]
"""Counts a batch of valid rows of a kind as (inserted, updated, unchanged)."""
NO_STORE = "the store does not exist yet: every valid row counts as new"


@dataclass
class StoreView:
    """What a dry run learns from the store: how rows compare, known and erased patients."""

    count: Counter | None
    """``None`` when the valid rows cannot be compared with the store (validate only)."""
    patient_in_store: Callable[[str], bool] = lambda _pseudonym: False
    erased: frozenset[str] = frozenset()
    warnings: list[Issue] = field(default_factory=list)


@contextmanager
def read_only_store(engine: Engine) -> Iterator[StoreView]:
    """Yield the store's view for a dry run, on a connection that cannot write."""
    if _sqlite_file_missing(engine):
        # Connecting would create the file: do not connect at all.
        yield _absent()
        return
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA query_only = ON")
        else:
            # Reset when the connection returns to the pool.
            connection.execution_options(postgresql_readonly=True)
        try:
            yield _view(connection)
        finally:
            connection.rollback()
            if sqlite:
                # The pooled connection must write again for the next (real) ingest.
                connection.exec_driver_sql("PRAGMA query_only = OFF")


def _sqlite_file_missing(engine: Engine) -> bool:
    if engine.dialect.name != "sqlite":
        return False
    database = engine.url.database
    return not database or database == ":memory:" or not Path(database).exists()


def _absent() -> StoreView:
    return StoreView(count=lambda _kind, rows: (len(rows), 0, 0), warnings=[Issue(NO_STORE)])


def _view(connection: Connection) -> StoreView:
    version = node_schema_version(connection)
    if version == 0:
        return _absent()
    has_table = inspect(connection).has_table
    writer = StoreWriter(connection, compare_only=True)
    view = StoreView(count=writer.write if version == SCHEMA_VERSION else None)
    if has_table(TABLES["patient"].name):
        view.patient_in_store = writer.patient_exists
    if has_table(ERASED_PATIENTS.name):
        view.erased = erased_patients(connection)
    if version != SCHEMA_VERSION:
        age = "older" if version < SCHEMA_VERSION else "newer"
        view.warnings.append(
            Issue(
                f"the store's schema (version {version}) is {age} than this ketanet's "
                f"(version {SCHEMA_VERSION}): the dry run validated the export without comparing "
                "it with the store"
                + (" (an ingest upgrades the schema first)" if age == "older" else "")
            )
        )
    return view
