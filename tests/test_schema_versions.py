"""The migration runner: pending migrations in order, once, all or none; newer databases refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Column, Connection, Engine, Integer, MetaData, Table, inspect, select

from app.database import create_store_engine
from app.errors import ConfigError
from app.schema_versions import Migration, SchemaHistory, applied_version, creating, upgrade

_metadata = MetaData()
FIRST = Table("first", _metadata, Column("id", Integer, primary_key=True))
SECOND = Table("second", _metadata, Column("id", Integer, primary_key=True))


def _history(*migrations: Migration) -> SchemaHistory:
    return SchemaHistory(version_table="test_schema_version", migrations=migrations)


def _recording(table: Table, order: list[str]) -> Migration:
    def apply(connection: Connection) -> None:
        order.append(table.name)
        creating(table)(connection)

    return Migration(f"{table.name} table", apply)


def _fail(_connection: Connection) -> None:
    raise RuntimeError("migration failed")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database on SQLite, then on PostgreSQL (a schema of its own)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'versions.db'}"
    else:
        url = request.getfixturevalue("postgres_schema_url")
    engine = create_store_engine(url)
    yield engine


def _version(engine: Engine, history: SchemaHistory) -> int:
    with engine.connect() as connection:
        return applied_version(connection, history)


def test_upgrade_applies_pending_migrations_in_order_and_records_each(engine: Engine) -> None:
    order: list[str] = []
    one, two = _recording(FIRST, order), _recording(SECOND, order)
    assert _version(engine, _history(one, two)) == 0
    assert upgrade(engine, _history(one)) == 1
    assert upgrade(engine, _history(one, two)) == 2
    assert upgrade(engine, _history(one, two)) == 2  # nothing pending: nothing runs again
    assert order == ["first", "second"]
    versions = _history().table()
    with engine.connect() as connection:
        recorded = connection.execute(select(versions).order_by(versions.c.version)).all()
    assert [tuple(row) for row in recorded] == [(1, "first table"), (2, "second table")]


def test_upgrade_is_all_or_nothing_when_a_migration_fails(engine: Engine) -> None:
    history = _history(Migration("first table", creating(FIRST)), Migration("fails", _fail))
    with pytest.raises(RuntimeError):
        upgrade(engine, history)
    # The first migration's table and the version table went with the failed transaction.
    assert not inspect(engine).has_table("first")
    assert _version(engine, history) == 0


def test_upgrade_refuses_a_database_newer_than_the_code(engine: Engine) -> None:
    newer = _history(Migration("first table", creating(FIRST)), Migration("b", creating(SECOND)))
    upgrade(engine, newer)
    with pytest.raises(ConfigError, match="newer than this ketanet"):
        upgrade(engine, _history(*newer.migrations[:1]))
    assert _version(engine, newer) == 2


def test_creating_adopts_a_table_that_exists_already(engine: Engine) -> None:
    with engine.begin() as connection:
        creating(FIRST)(connection)
        connection.execute(FIRST.insert().values(id=7))
    assert upgrade(engine, _history(Migration("adopt first", creating(FIRST)))) == 1
    with engine.connect() as connection:
        assert connection.execute(select(FIRST.c.id)).scalars().all() == [7]
