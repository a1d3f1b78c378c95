"""Migration 16 on SQLite: record rows stored in insertion order, their pseudonyms unique by an index.

Until version 15 every record table declared ``id`` (a random pseudonym) as its primary key. On
SQLite a TEXT primary key of a rowid table is an automatic index that can never be dropped, so
every bulk load paid a random B-tree insert per row into it. From version 16 a record table on
SQLite has no declared primary key: its rows live in the implicit rowid B-tree, appended in
insertion order, and the pseudonym is unique through ``ux_<table>_id`` (``unique_key_index``), an
ordinary unique index that a bulk load into an empty table drops and rebuilds from sorted keys
(``StoreWriter``), and that foreign keys to ``patient(id)`` still resolve through.

The implicit rowid rather than an explicit ``INTEGER PRIMARY KEY`` column: nothing refers to the
row number (every reference, upsert, update and erasure goes by pseudonym), so it needs no column
in the models, in ``SELECT *`` or in any FHIR or measure query, and a ``VACUUM`` renumbering it
changes nothing that matters. PostgreSQL tables keep their primary keys (its bulk writer drops and
re-adds them itself).

The rebuild is SQLite's documented way to change a table's keys: create the new table, copy the
rows (keeping each row's rowid, hence the order), drop the old table, rename the new one, create
the indexes from sorted data. It runs with foreign keys off and a ``foreign_key_check`` before the
upgrade commits (``app.schema_versions``). A store made at version 1 by this release goes through
the same rebuild as one made by an older release, so both end with the same tables.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Connection, ForeignKey, MetaData, String, Table, inspect
from sqlalchemy.schema import CreateTable

from app.store.models import (
    ADDED_RECORD_TABLES,
    LINKAGE_TOKENS,
    RECORD_TABLES,
    RecordBase,
)

LAYOUT_TABLES: tuple[Table, ...] = (
    *(
        RecordBase.metadata.tables[str(m.__tablename__)]
        for m in (*RECORD_TABLES, *ADDED_RECORD_TABLES)
    ),
    LINKAGE_TOKENS,
)
"""Tables keyed by a pseudonym: stored in insertion order on SQLite, with a unique key index."""

_STAGING_SUFFIX = "__rowid_layout"


def store_records_in_insertion_order(connection: Connection) -> None:
    """Rebuild every pseudonym-keyed table without its primary key (SQLite; a migration step)."""
    if connection.dialect.name != "sqlite":
        return
    for table in LAYOUT_TABLES:
        _rebuild_without_primary_key(connection, table)


def _rebuild_without_primary_key(connection: Connection, table: Table) -> None:
    quote = connection.dialect.identifier_preparer.quote
    # The columns the table has at this version: a later release's model may hold more, which
    # its own migration adds (the rebuild must not add them first).
    present = {column["name"] for column in inspect(connection).get_columns(table.name)}
    kept = [column for column in table.columns if column.name in present]
    staging = _without_primary_key(kept, table.name + _STAGING_SUFFIX)
    connection.execute(CreateTable(staging))
    # Names are the store's own (its table metadata), quoted by the dialect; nothing is input.
    columns = ", ".join(quote(column.name) for column in kept)
    connection.exec_driver_sql(
        f"INSERT INTO {quote(staging.name)} (rowid, {columns}) "  # noqa: S608
        f"SELECT rowid, {columns} FROM {quote(table.name)} ORDER BY rowid"
    )
    connection.exec_driver_sql(f"DROP TABLE {quote(table.name)}")
    connection.exec_driver_sql(f"ALTER TABLE {quote(staging.name)} RENAME TO {quote(table.name)}")
    # Built after the copy, from sorted keys; the unique key index among them (SQLite only).
    for index in sorted(table.indexes, key=lambda index: str(index.name)):
        if {column.name for column in index.columns} <= present:
            index.create(connection)


def _without_primary_key(kept: list[Column[Any]], name: str) -> Table:
    """Return the ``kept`` columns and their references as a table ``name`` with no primary key."""
    metadata = MetaData()
    # The referenced key, only so that the references render (``REFERENCES patient (id)``).
    Table("patient", metadata, Column("id", String(64)))
    columns = [
        Column(
            column.name,
            column.type,
            *(ForeignKey(key.target_fullname) for key in column.foreign_keys),
            nullable=column.nullable and not column.primary_key,
        )
        for column in kept
    ]
    return Table(name, metadata, *columns)
