"""A bulk load into empty SQLite tables drops their key indexes and gets every one of them back.

The load runs with foreign keys off and checks the references set-based before it commits; a
rejected run rolls its index drops back with its rows, and the connection's foreign keys are on
again afterwards either way.
"""

from __future__ import annotations

import copy
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Engine

from app.ingest import IngestRejected
from tests.ingest.support import ADMINISTRATIONS, ingest, write_tiny_export


def _indexes(database: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
        ).fetchall()
    return [(name, sql) for name, sql in rows]


def _foreign_keys_enforced(engine: Engine) -> bool:
    with engine.connect() as connection:
        return bool(connection.exec_driver_sql("PRAGMA foreign_keys").scalar())


def test_bulk_load_into_empty_tables_ends_with_every_index_and_foreign_keys_on(
    tmp_path: Path, engine: Engine, tiny_export: Path
) -> None:
    database = tmp_path / "store.db"
    before = _indexes(database)
    assert ("ux_patient_id", "CREATE UNIQUE INDEX ux_patient_id ON patient (id)") in before
    report = ingest(engine, tiny_export)
    assert report.total("inserted") == 13
    assert _indexes(database) == before
    assert _foreign_keys_enforced(engine)
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    again = ingest(engine, tiny_export)  # into filled tables: the upsert path, by pseudonym
    assert (again.total("inserted"), again.total("unchanged")) == (0, 13)


def test_rejected_bulk_load_keeps_every_index_of_the_empty_tables(
    tmp_path: Path, engine: Engine
) -> None:
    # The patients are written (their key index dropped) before the bad administration is met.
    rows = copy.deepcopy(ADMINISTRATIONS)
    rows[2]["dose_mg"] = "lots"
    export = write_tiny_export(tmp_path / "bad", administrations=rows)
    database = tmp_path / "store.db"
    before = _indexes(database)
    with pytest.raises(IngestRejected):
        ingest(engine, export)
    assert _indexes(database) == before
    assert _foreign_keys_enforced(engine)
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT count(*) FROM patient").fetchone() == (0,)
