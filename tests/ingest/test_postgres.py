"""The same export ingests to the same row counts on SQLite and PostgreSQL; erasure sticks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from app.ingest import ingest_export
from app.store import create_store_engine, upgrade_schema
from tests.ingest.support import SECRET, assert_erasure_sticks, write_tiny_export

TABLES = (
    "patient",
    "administration",
    "dispense",
    "observation",
    "adverse_event",
    "discontinuation",
)

pytestmark = pytest.mark.postgres


@pytest.fixture
def postgres_engine(postgres_schema_url: str) -> Iterator[Engine]:
    """A migrated node database on a schema of its own in the session's PostgreSQL database."""
    engine = create_store_engine(postgres_schema_url)
    upgrade_schema(engine)
    yield engine
    engine.dispose()


def counts(engine: Engine) -> dict[str, int]:
    """Return the row count of every record table."""
    with engine.connect() as connection:
        return {
            table: int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
            for table in TABLES
        }


def rows(engine: Engine, table: str) -> list[tuple[object, ...]]:
    """Return the rows of ``table`` sorted by id (floats rounded: the drivers differ in type)."""
    with engine.connect() as connection:
        result = connection.execute(text(f"SELECT * FROM {table} ORDER BY id"))
        return [tuple(round(v, 6) if isinstance(v, float) else v for v in row) for row in result]


def test_same_export_gives_same_rows_on_sqlite_and_postgres(
    tmp_path: Path, synth_export: Path, postgres_engine: Engine
) -> None:
    sqlite = create_store_engine(f"sqlite:///{tmp_path / 'store.db'}")
    upgrade_schema(sqlite)
    try:
        for engine in (sqlite, postgres_engine):
            report = ingest_export(
                engine=engine, paths=[synth_export / "csv"], secret=SECRET, timezone="UTC"
            )
            assert report.total("rejected") == 0
        assert counts(sqlite) == counts(postgres_engine)
        assert all(counts(sqlite).values())
        for table in ("patient", "administration"):
            assert rows(sqlite, table) == rows(postgres_engine, table)
        again = ingest_export(
            engine=postgres_engine, paths=[synth_export / "fhir"], secret=SECRET, timezone="UTC"
        )
        assert again.total("inserted") == again.total("updated") == 0
    finally:
        sqlite.dispose()


def test_erased_patient_stays_absent_on_postgres_when_export_is_reimported(
    tmp_path: Path, postgres_engine: Engine
) -> None:
    assert_erasure_sticks(postgres_engine, write_tiny_export(tmp_path / "e"))
