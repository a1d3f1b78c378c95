"""Versioned schema migrations for the record store, so an upgraded node keeps its data.

Each migration is a function of a connection, applied once in order inside a transaction; the
applied version is kept in ``store_schema_version``. Add a migration by appending to ``MIGRATIONS``.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    inspect,
    select,
)

from app.store.models import RECORD_TABLES, ErasedPatient, IngestRun, RecordBase

_version_metadata = MetaData()
schema_version_table = Table(
    "store_schema_version",
    _version_metadata,
    Column("version", Integer, primary_key=True),
    Column("description", String(200), nullable=False),
)


def _table(model: type[RecordBase]) -> Table:
    return RecordBase.metadata.tables[str(model.__tablename__)]


def _create_record_tables(connection: Connection) -> None:
    # Only the tables of version 1: later migrations create their own.
    tables = [_table(model) for model in (*RECORD_TABLES, IngestRun)]
    RecordBase.metadata.create_all(connection, tables=tables)


def _create_erased_patient_table(connection: Connection) -> None:
    _table(ErasedPatient).create(connection, checkfirst=True)


MIGRATIONS: list[tuple[str, Callable[[Connection], None]]] = [
    ("record tables of the minimum dataset", _create_record_tables),
    (
        "erased_patient: pseudonyms of erased patients, skipped by later imports",
        _create_erased_patient_table,
    ),
]
SCHEMA_VERSION = len(MIGRATIONS)


def current_version(connection: Connection) -> int:
    """Return the schema version applied to the database (0 for a new database)."""
    _version_metadata.create_all(connection)
    return applied_version(connection)


def applied_version(connection: Connection) -> int:
    """Return the schema version applied to the database without writing (0: no schema yet)."""
    if not inspect(connection).has_table(schema_version_table.name):
        return 0
    versions = connection.execute(select(schema_version_table.c.version)).scalars().all()
    return max(versions, default=0)


def upgrade_schema(engine: Engine) -> int:
    """Apply every pending migration; return the resulting schema version."""
    with engine.begin() as connection:
        version = current_version(connection)
        for number, (description, migrate) in enumerate(MIGRATIONS, start=1):
            if number <= version:
                continue
            migrate(connection)
            connection.execute(
                schema_version_table.insert().values(version=number, description=description)
            )
            version = number
    return version
