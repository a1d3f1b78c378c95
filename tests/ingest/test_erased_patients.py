"""An erasure sticks: later imports of the same export skip every row of the erased patient."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, inspect, text

from app.deid import pseudonymise_patient_id
from app.ingest import ingest_export
from app.store import SCHEMA_VERSION, create_store_engine, data_version, upgrade_schema
from app.store.migrations import node_schema_version
from tests.ingest.support import (
    SECRET,
    assert_erasure_sticks,
    erase,
    ingest,
    rows_of,
    write_tiny_export,
    write_version_1_store,
)


def erased_rows(engine: Engine) -> list[tuple[str, str]]:
    """Return the rows of ``erased_patient``."""
    with engine.connect() as connection:
        found = connection.execute(text("SELECT patient_id, erased_at FROM erased_patient"))
        return [(str(pseudonym), str(at)) for pseudonym, at in found]


def test_erased_patient_stays_absent_when_export_is_reimported(
    tmp_path: Path, engine: Engine
) -> None:
    assert_erasure_sticks(engine, write_tiny_export(tmp_path / "e"))


def test_erased_patient_is_stored_as_pseudonym_only_when_erased(
    tmp_path: Path, engine: Engine
) -> None:
    ingest(engine, write_tiny_export(tmp_path / "e"))
    erase(engine, "PX-0002")
    [(pseudonym, erased_at)] = erased_rows(engine)
    assert pseudonym == pseudonymise_patient_id(SECRET, "PX-0002")
    assert "PX-0002" not in pseudonym and erased_at.endswith("Z")


def test_erase_is_idempotent_when_repeated(tmp_path: Path, engine: Engine) -> None:
    ingest(engine, write_tiny_export(tmp_path / "e"))
    assert erase(engine, "PX-0003") == 3
    first = erased_rows(engine)
    version = data_version(engine)
    assert erase(engine, "PX-0003") == 0
    assert erased_rows(engine) == first
    assert data_version(engine) == version


def test_erased_patient_is_never_stored_when_erased_before_first_import(
    tmp_path: Path, engine: Engine
) -> None:
    assert erase(engine, "PX-0003") == 0
    report = ingest(engine, write_tiny_export(tmp_path / "e"))
    assert rows_of(engine, "PX-0003") == 0
    assert report.total("erased") == 3  # patient, DX-01, the discontinuation
    assert report.total("inserted") == 10


def test_dry_run_counts_erased_rows_when_patient_is_erased(tmp_path: Path, engine: Engine) -> None:
    export = write_tiny_export(tmp_path / "e")
    ingest(engine, export)
    erase(engine, "PX-0001")
    report = ingest_export(
        engine=engine, paths=[export], secret=SECRET, timezone="UTC", dry_run=True
    )
    assert report.total("erased") == 6
    assert report.total("inserted") == 0 and report.total("unchanged") == 7


def test_upgrade_adds_erased_patient_table_when_schema_is_version_1(tmp_path: Path) -> None:
    database = tmp_path / "old.db"
    write_version_1_store(database)
    engine = create_store_engine(f"sqlite:///{database}")
    try:
        assert not inspect(engine).has_table("erased_patient")
        assert upgrade_schema(engine) == SCHEMA_VERSION
        assert inspect(engine).has_table("erased_patient")
        with engine.connect() as connection:
            assert node_schema_version(connection) == SCHEMA_VERSION
        assert_erasure_sticks(engine, write_tiny_export(tmp_path / "e"))
    finally:
        engine.dispose()
