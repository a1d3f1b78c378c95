"""Migration 16: SQLite record tables keep rows in insertion order, pseudonyms unique by an index.

A store made at version 1 and one left at version 15 by the previous release end with the same
tables; the upgrade keeps every row (and its row number, hence the order), the unique key index
refuses a second row with the same pseudonym, foreign keys still hold on ordinary connections,
and an upgrade that would leave a broken reference changes nothing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, exc, inspect, text

from app.database import create_store_engine, sqlite_foreign_keys_off
from app.errors import ConfigError, Conflict
from app.schema_versions import SchemaHistory, upgrade
from app.store import SCHEMA_VERSION, upgrade_schema
from app.store.key_layout import LAYOUT_TABLES
from app.store.migrations import NODE_SCHEMA, node_schema_version
from app.store.writer import StoreWriter
from tests.store.release_0_1_0 import load_sqlite

VERSION_15 = SchemaHistory(NODE_SCHEMA.version_table, NODE_SCHEMA.migrations[:15])


def _patient(pseudonym: str) -> dict[str, object]:
    return {
        "id": pseudonym,
        "birth_year": 1980,
        "sex": "female",
        "diagnosis": "F33.2",
        "failed_trials": 3,
        "substance_use_history": "no",
        "psychosis_history": "no",
        "row_hash": "h-" + pseudonym,
        "record_key": 7,
        "member_hash": 11,
    }


def _administration(pseudonym: str, patient: str, at_s: int) -> dict[str, object]:
    return {
        "id": pseudonym,
        "patient_id": patient,
        "at_s": at_s,
        "day": at_s // 86_400,
        "drug": "ketamine",
        "route": "iv",
        "dose_mg": 35.5,
        "weight_kg": None,
        "setting": "clinic",
        "row_hash": "h-" + pseudonym,
        "record_key": 1,
        "member_hash": 2,
    }


def _insert(engine: Engine, table: str, rows: list[dict[str, object]]) -> None:
    columns = list(rows[0])
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    with engine.begin() as connection:
        connection.exec_driver_sql(sql, [tuple(row.values()) for row in rows])


def _master(database: Path) -> list[tuple[str, str, str]]:
    """Every table and index of the database with its SQL, as SQLite keeps them."""
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
        ).fetchall()
    return [(kind, name, sql) for kind, name, sql in rows]


@pytest.fixture
def store_at_15(tmp_path: Path) -> Iterator[Engine]:
    """A store as the previous release left it (version 15: TEXT primary keys), with records."""
    engine = create_store_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, VERSION_15)
    # Inserted out of pseudonym order: the row numbers tell insertion order from key order.
    _insert(engine, "patient", [_patient(p) for p in ("p3", "p1", "p2")])
    _insert(
        engine,
        "administration",
        [_administration(f"a{n}", "p1" if n % 2 else "p2", 1_700_000_000 + n) for n in (5, 1, 4)],
    )
    yield engine
    engine.dispose()


def test_new_sqlite_store_has_no_declared_primary_key_and_a_unique_key_index(
    tmp_path: Path,
) -> None:
    engine = create_store_engine(f"sqlite:///{tmp_path / 'node.db'}")
    try:
        assert upgrade_schema(engine) == SCHEMA_VERSION >= 16
        found = inspect(engine)
        for table in LAYOUT_TABLES:
            assert found.get_pk_constraint(table.name)["constrained_columns"] == [], table.name
            key = "patient_id" if table.name == "linkage_token" else "id"
            unique = [i for i in found.get_indexes(table.name) if i["unique"]]
            assert [(i["name"], i["column_names"]) for i in unique] == [
                (f"ux_{table.name}_{key}", [key])
            ]
    finally:
        engine.dispose()


def test_upgrade_to_16_keeps_every_row_in_insertion_order(store_at_15: Engine) -> None:
    def rows() -> dict[str, list[tuple[object, ...]]]:
        with store_at_15.connect() as connection:
            return {
                table: [
                    tuple(row)
                    for row in connection.execute(
                        text(f"SELECT rowid, * FROM {table} ORDER BY rowid")
                    )
                ]
                for table in ("patient", "administration")
            }

    before = rows()
    assert [row[1] for row in before["patient"]] == ["p3", "p1", "p2"]
    assert upgrade_schema(store_at_15) == SCHEMA_VERSION
    assert rows() == before


def test_unique_key_index_refuses_a_second_row_with_the_same_pseudonym(
    store_at_15: Engine,
) -> None:
    upgrade_schema(store_at_15)
    with pytest.raises(exc.IntegrityError, match=r"UNIQUE constraint failed: patient\.id"):
        _insert(store_at_15, "patient", [_patient("p1")])


def test_foreign_keys_still_hold_on_ordinary_connections_after_the_upgrade(
    store_at_15: Engine,
) -> None:
    upgrade_schema(store_at_15)
    with pytest.raises(exc.IntegrityError, match="FOREIGN KEY constraint failed"):
        _insert(store_at_15, "administration", [_administration("a9", "nobody", 1_700_000_009)])
    _insert(store_at_15, "administration", [_administration("a9", "p3", 1_700_000_009)])


def test_store_made_at_version_1_ends_like_one_upgraded_from_15_or_from_release_0_1_0(
    tmp_path: Path, store_at_15: Engine
) -> None:
    fresh = create_store_engine(f"sqlite:///{tmp_path / 'new.db'}")
    released = create_store_engine(load_sqlite("node.sql", tmp_path / "release.db"))
    try:
        for engine in (fresh, store_at_15, released):
            upgrade_schema(engine)
        assert _master(tmp_path / "new.db") == _master(tmp_path / "old.db")
        assert _master(tmp_path / "new.db") == _master(tmp_path / "release.db")
    finally:
        fresh.dispose()
        released.dispose()


def test_upgrade_with_a_broken_reference_changes_nothing_and_says_where(
    tmp_path: Path, store_at_15: Engine
) -> None:
    # An orphan only a connection without foreign keys could have left behind.
    with store_at_15.connect() as connection, sqlite_foreign_keys_off(connection):
        connection.exec_driver_sql("UPDATE administration SET patient_id = 'gone' WHERE id = 'a4'")
        connection.commit()
    before = _master(tmp_path / "old.db")
    with pytest.raises(ConfigError, match=r"administration row \d+ refers to a patient row"):
        upgrade_schema(store_at_15)
    with store_at_15.connect() as connection:
        assert node_schema_version(connection) == 15
        (enforced,) = connection.exec_driver_sql("PRAGMA foreign_keys").one()
    assert _master(tmp_path / "old.db") == before
    assert enforced == 1  # the pooled connection has its foreign keys back


def test_writer_without_foreign_keys_refuses_a_run_that_refers_to_no_stored_patient(
    tmp_path: Path,
) -> None:
    engine = create_store_engine(f"sqlite:///{tmp_path / 'node.db'}")
    try:
        upgrade_schema(engine)
        with (
            engine.connect() as connection,
            sqlite_foreign_keys_off(connection),
            connection.begin() as transaction,
        ):
            writer = StoreWriter(connection)
            writer.write("patient", [_patient("p1")])
            rows = [_administration("a1", "p1", 1), _administration("a2", "gone", 2)]
            assert writer.write("administration", rows) == (2, 0, 0)
            with pytest.raises(
                Conflict, match=r"administration row 2: patient_id refers to a patient"
            ):
                writer.finish()
            transaction.rollback()
        with engine.connect() as connection:
            counts = [
                connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()
                for table in ("patient", "administration")
            ]
            indexes = {i["name"] for i in inspect(connection).get_indexes("patient")}
        assert counts == [0, 0]
        assert indexes == {"ux_patient_id"}  # dropped for the load, back after the rollback
    finally:
        engine.dispose()


def test_the_rebuild_copies_only_the_columns_the_table_has_at_this_version(tmp_path: Path) -> None:
    # A later release's model may carry a column (and an index on it) that its own migration
    # adds: migration 16 must rebuild the table as it is, not add them ahead of that migration.
    from sqlalchemy import Column, Index, Integer, MetaData, String, Table

    from app.store.key_layout import _rebuild_without_primary_key

    engine = create_store_engine(f"sqlite:///{tmp_path / 'later.db'}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE patient (id VARCHAR(64) PRIMARY KEY, sex TEXT)")
        connection.exec_driver_sql("INSERT INTO patient VALUES ('p2', 'F'), ('p1', 'M')")
    later = Table(
        "patient",
        MetaData(),
        Column("id", String(64), primary_key=True),
        Column("sex", String(16)),
        Column("added_later", Integer),
        Index("ix_patient_added_later", "added_later"),
        Index("ux_patient_id", "id", unique=True),
    )
    with engine.begin() as connection:
        _rebuild_without_primary_key(connection, later)
    columns = [c["name"] for c in inspect(engine).get_columns("patient")]
    indexes = {i["name"] for i in inspect(engine).get_indexes("patient")}
    assert columns == ["id", "sex"]
    assert indexes == {"ux_patient_id"}
    with engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT id, sex FROM patient ORDER BY rowid").all()
    assert [tuple(row) for row in rows] == [("p2", "F"), ("p1", "M")]
