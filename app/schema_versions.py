"""Versioned database schemas: a list of migrations, applied once each, in order, and recorded.

A database's ``SchemaHistory`` names the table that records its version and lists its
migrations; the schema version is the number of migrations applied. ``upgrade`` applies the
pending ones in one transaction (all or none) and records each, so a registry upgrades in place
and keeps its data and audit chain. A new migration is appended at the end of its list, never
inserted and never edited once released: databases in the field have run the old text.

Framework-free (SQLAlchemy Core only) and knowing no table of its own but the version table, so
both the node's store (``app.store.migrations``) and the hub (``app.hub.migrations``) keep their
lists with their tables.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass

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
    text,
)

from app.database import sqlite_foreign_keys_off
from app.errors import ConfigError

Step = Callable[[Connection], None]
"""One migration's work, run on the upgrade's connection inside its transaction."""


@dataclass(frozen=True)
class Migration:
    """One step of a schema's history: what it does (recorded with it) and the work."""

    description: str
    apply: Step


@dataclass(frozen=True)
class SchemaHistory:
    """The migration list of one kind of database and the table recording how far it got."""

    version_table: str
    migrations: tuple[Migration, ...]

    @property
    def version(self) -> int:
        """Return the schema version this code expects (every migration applied)."""
        return len(self.migrations)

    def table(self) -> Table:
        """Return the version table: one row (version, description) per applied migration."""
        return Table(
            self.version_table,
            MetaData(),
            Column("version", Integer, primary_key=True),
            Column("description", String(200), nullable=False),
        )


def creating(*tables: Table) -> Step:
    """Return a step creating ``tables`` (with their indexes) unless they exist already.

    For tables that databases made before versioning already hold: adopting them creates them
    on a new database and leaves an existing one as it is. A table is created as the code
    defines it today, so a later migration that changes it must look before it alters (add a
    column only when it is missing): on a new database the change is already there.
    """

    def create(connection: Connection) -> None:
        for table in tables:
            table.create(connection, checkfirst=True)

    return create


def applied_version(connection: Connection, history: SchemaHistory) -> int:
    """Return the schema version applied to the database, writing nothing (0: none yet)."""
    if not inspect(connection).has_table(history.version_table):
        return 0
    table = history.table()
    versions = connection.execute(select(table.c.version)).scalars().all()
    return max(versions, default=0)


def upgrade(engine: Engine, history: SchemaHistory) -> int:
    """Apply every pending migration of ``history`` in one transaction; return the new version.

    Raises ``ConfigError`` when the database is newer than this code (made by a later release):
    then nothing is changed.
    """
    with (
        engine.connect() as connection,
        # A migration may rebuild a table others refer to (create, copy, drop, rename): with
        # foreign keys on, dropping the old table would break every reference to it.
        # ``_check_foreign_keys`` checks them all before the upgrade commits instead.
        sqlite_foreign_keys_off(connection),
        connection.begin(),
    ):
        _lock_for_upgrade(connection, history)
        table = history.table()
        table.create(connection, checkfirst=True)
        version = applied_version(connection, history)
        if version > history.version:
            raise ConfigError(
                f"database schema version {version} is newer than this ketanet's "
                f"({history.version}, {history.version_table}): upgrade ketanet"
            )
        applied = version
        for number, migration in enumerate(history.migrations, start=1):
            if number <= version:
                continue
            migration.apply(connection)
            connection.execute(
                table.insert().values(version=number, description=migration.description[:200])
            )
            version = number
        if version > applied:
            _check_foreign_keys(connection)
    return version


def _check_foreign_keys(connection: Connection) -> None:
    """Raise ``ConfigError`` (the upgrade rolls back) if any SQLite row refers to a missing row."""
    if connection.dialect.name != "sqlite":
        return
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").first()
    if broken is not None:
        table, rowid, parent, _key = broken
        raise ConfigError(
            f"schema upgrade: {table} row {rowid} refers to a {parent} row the database "
            "does not hold; nothing was changed"
        )


def _lock_for_upgrade(connection: Connection, history: SchemaHistory) -> None:
    # Two processes starting at once (a node and `ketanet ingest`) must not both migrate.
    dialect = connection.dialect.name
    if dialect == "sqlite":
        # The driver would run the DDL outside any transaction; BEGIN IMMEDIATE opens one and
        # takes the write lock, so the upgrade is all or nothing and one writer at a time.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif dialect == "postgresql":
        key = zlib.crc32(history.version_table.encode())
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
