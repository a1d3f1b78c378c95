"""Batched upserts through SQLAlchemy Core: insert new rows, compare hashes, update changed ones.

Portable to SQLite and PostgreSQL (no dialect upsert needed): per batch, one ``SELECT id, row_hash
... WHERE id IN (...)`` tells new, changed and unchanged rows apart, then one executemany inserts
and one updates. A table that was empty when the run began skips the SELECT (the run's own
duplicates are already caught by the pipeline, so every row is new) and is bulk-loaded: its
secondary indexes are dropped and rebuilt once at the end, inside the same transaction, because
building an index from sorted data is far cheaper than a million random B-tree inserts. On
SQLite such a table's triggers that mark patients for the kept per-dose signals are dropped too
and re-created by ``finish``, which marks each patient of the table once instead of once a row
(``app.store.dose_signals``).

With ``compare_only`` (a dry run) the writer only reads: it counts what it would insert, update
or leave unchanged, and never writes, drops or creates anything.

Patient rows may carry their linkage token (key ``linkage_token``, included in their ``row_hash``):
the writer stores it in its own table whenever the patient row is new or changed, and removes it
when a changed row has none, so the token table always holds what the last ingest computed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Index, Table, bindparam, delete, select

from app.errors import Conflict
from app.linkage import LINKAGE_TOKEN_FIELD
from app.store.dose_signals import resume_sqlite_marking, suspend_sqlite_marking
from app.store.models import ADDED_RECORD_TABLES, LINKAGE_TOKENS, RECORD_TABLES, RecordBase

if TYPE_CHECKING:
    from app.store.postgres_writer import PostgresBulkWriter

TABLES: dict[str, Table] = {
    str(model.__tablename__): RecordBase.metadata.tables[str(model.__tablename__)]
    for model in (*RECORD_TABLES, *ADDED_RECORD_TABLES)
}
"""Record kind → store table (kinds are named as the tables)."""
_REFERENCED = frozenset(
    key.column.table.name
    for table in (*TABLES.values(), LINKAGE_TOKENS)
    for key in table.foreign_keys
)
"""Tables other tables refer to (``patient``): their key index serves every reference."""


class StoreWriter:
    """Writes batches of store rows of every kind on one connection (inside the run's transaction)."""

    def __init__(self, connection: Connection, *, compare_only: bool = False) -> None:
        self._connection = connection
        self._compare_only = compare_only
        self._sqlite = connection.dialect.name == "sqlite"
        # Foreign keys off (``sqlite_foreign_keys_off``): the unique key indexes, which foreign
        # keys resolve through, may be dropped for a bulk load too, and ``finish`` checks the
        # references of what was written, set-based, once those indexes are back.
        self._checks_references = self._sqlite and not _enforces_foreign_keys(connection)
        self._empty_at_start: dict[str, bool] = {}
        self._dropped: list[Index] = []
        self._suspended: dict[str, list[str]] = {}
        """Marking triggers dropped for a bulk load, by table (``app.store.dose_signals``)."""
        self._written: set[str] = set()
        self._updates = {
            kind: table.update().where(table.c.id == bindparam("key_"))
            for kind, table in TABLES.items()
        }

    def write(
        self, kind: str, rows: list[dict[str, Any]], *, tag: object = None
    ) -> tuple[int, int, int]:
        """Store ``rows`` of ``kind``; return (inserted, updated, unchanged).

        With ``compare_only``, store nothing and return what storing them would do. ``tag`` is for
        writers that count some rows only in ``finish`` (``PostgresBulkWriter``); here all are
        counted at once.
        """
        if not rows:
            return 0, 0, 0
        table = TABLES[kind]
        tokens = _split_tokens(rows) if kind == "patient" else None
        if not self._compare_only:
            self._written.add(kind)
        if not self._compare_only and self._was_empty(kind, table):
            self._insert(table, rows)
            if tokens:
                self._write_tokens(tokens, replace=False)
            return len(rows), 0, 0
        ids = [row["id"] for row in rows]
        found = self._connection.execute(
            select(table.c.id, table.c.row_hash).where(table.c.id.in_(ids))
        )
        known: dict[str, str] = {key: digest for key, digest in found}
        new = [row for row in rows if row["id"] not in known]
        changed = [
            {**{k: v for k, v in row.items() if k != "id"}, "key_": row["id"]}
            for row in rows
            if row["id"] in known and known[row["id"]] != row["row_hash"]
        ]
        if new and not self._compare_only:
            self._insert(table, new)
        if changed and not self._compare_only:
            self._connection.execute(self._updates[kind], changed)
        if tokens and not self._compare_only:
            written = {row["id"] for row in new} | {row["key_"] for row in changed}
            self._write_tokens({k: v for k, v in tokens.items() if k in written}, replace=True)
        return len(new), len(changed), len(rows) - len(new) - len(changed)

    def _write_tokens(self, tokens: dict[str, bytes | None], *, replace: bool) -> None:
        """Store the tokens of new or changed patients (None: the patient has none now)."""
        if replace and tokens:
            self._connection.execute(
                delete(LINKAGE_TOKENS).where(LINKAGE_TOKENS.c.patient_id.in_(list(tokens)))
            )
        rows = [{"patient_id": k, "token": v} for k, v in tokens.items() if v is not None]
        if rows:
            self._written.add(LINKAGE_TOKENS.name)
            self._connection.execute(LINKAGE_TOKENS.insert(), rows)

    def _insert(self, table: Table, rows: list[dict[str, Any]]) -> None:
        if not self._sqlite:
            # PostgreSQL: SQLAlchemy batches these into multi-row INSERTs (insertmanyvalues).
            self._connection.execute(table.insert(), rows)
            return
        # SQLite: Core's per-row parameter processing costs more than SQLite's insert itself, and
        # these rows already hold driver-ready values (str, int, float, bool, None), so the
        # compiled INSERT goes to the driver's executemany with plain tuples in column order.
        columns = list(rows[0])
        quote = self._connection.dialect.identifier_preparer.quote
        # Names come from the store's own table metadata, quoted by the dialect; values are bound.
        sql = (
            f"INSERT INTO {quote(table.name)} ({', '.join(map(quote, columns))}) "  # noqa: S608
            f"VALUES ({', '.join('?' * len(columns))})"
        )
        self._connection.exec_driver_sql(sql, [tuple(row.values()) for row in rows])

    def finish(self) -> list[tuple[object, tuple[int, int, int]]]:
        """Rebuild the indexes dropped for bulk loads (call once all batches are written).

        Return the counts left for later by ``write``: none here, every batch was counted at once.
        """
        for index in self._dropped:
            index.create(self._connection)
        self._dropped.clear()
        for table_name, triggers in self._suspended.items():
            resume_sqlite_marking(self._connection, table_name, triggers)
        self._suspended.clear()
        if self._checks_references:
            check_references(self._connection, sorted(self._written))
        return []

    def close(self) -> None:
        """Release what the writer holds (nothing here; see ``PostgresBulkWriter.close``)."""

    def filled_from_empty(self) -> frozenset[str]:
        """Return the kinds whose tables were empty when this run first wrote to them.

        Every row of such a table came from this run, so a caller knows their record keys are set.
        """
        return frozenset(kind for kind, empty in self._empty_at_start.items() if empty)

    def patient_exists(self, pseudonym: str) -> bool:
        """Return True when the store already holds the patient ``pseudonym``."""
        if self._empty_at_start.get("patient"):
            # Every patient stored came from this run, which knows them all (and the table's
            # key index may be dropped until ``finish``: the query would read every row).
            return False
        table = TABLES["patient"]
        found = self._connection.execute(select(table.c.id).where(table.c.id == pseudonym))
        return found.first() is not None

    def _was_empty(self, kind: str, table: Table) -> bool:
        if kind not in self._empty_at_start:
            empty = self._drop_indexes_if_empty(table)
            self._empty_at_start[kind] = empty
            if empty and kind == "patient":
                # The tokens follow their patients into a table that is then empty too.
                self._drop_indexes_if_empty(LINKAGE_TOKENS)
        return self._empty_at_start[kind]

    def _begin_on_the_driver(self) -> None:
        """Make sure SQLite's transaction has begun, so that dropping an index rolls back too.

        Python's sqlite3 begins a transaction only before the first INSERT, UPDATE or DELETE;
        DDL before it would run and commit on its own, and a rejected run would leave the
        table without its index.
        """
        driver = self._connection.connection.driver_connection
        if self._sqlite and driver is not None and not driver.in_transaction:
            self._connection.exec_driver_sql("BEGIN")

    def _drop_indexes_if_empty(self, table: Table) -> bool:
        """Drop ``table``'s indexes for a bulk load if it holds no row; return whether it is empty."""
        if self._connection.execute(select(table.c[0]).limit(1)).first() is not None:
            return False
        self._begin_on_the_driver()
        if self._sqlite:
            self._suspended[table.name] = suspend_sqlite_marking(self._connection, table.name)
        for index in sorted(table.indexes, key=lambda index: str(index.name)):
            if index.unique and table.name in _REFERENCED and not self._checks_references:
                continue  # foreign keys enforced per row resolve through it (``ux_patient_id``)
            index.drop(self._connection)
            self._dropped.append(index)
        return True


@contextmanager
def open_store_writer(connection: Connection) -> Iterator[StoreWriter | PostgresBulkWriter]:
    """Yield the writer for ``connection``'s database: ``COPY`` on PostgreSQL, else ``StoreWriter``.

    The writer is closed on the way out, so after an error the caller's rollback can run.
    """
    if connection.dialect.name == "postgresql":
        # Imported here: SQLite runs and the CLI's start never load the PostgreSQL writer.
        from app.store.postgres_writer import PostgresBulkWriter

        writer: StoreWriter | PostgresBulkWriter = PostgresBulkWriter(connection)
    else:
        writer = StoreWriter(connection)
    try:
        yield writer
    finally:
        writer.close()


def store_holds_patients(connection: Connection) -> bool:
    """Return True when the store holds a patient (else every record table is empty).

    Reads on the driver's connection, so SQLAlchemy begins no transaction: callers ask before
    they begin theirs (``PRAGMA`` settings that must precede it depend on the answer). SQLite only.
    """
    driver = connection.connection.driver_connection
    assert driver is not None  # an open connection has its driver's
    quote = connection.dialect.identifier_preparer.quote
    # The store's own table name; nothing here comes from input.
    # fetchall: the statement is done (not pending) before any PRAGMA that follows.
    found = driver.execute(f"SELECT 1 FROM {quote(TABLES['patient'].name)} LIMIT 1").fetchall()  # noqa: S608
    return bool(found)


def check_references(connection: Connection, tables: list[str]) -> None:
    """Check that every row of ``tables`` refers to stored rows (SQLite, set-based).

    Raises ``Conflict`` naming the first broken row by table, row number and column (never a
    value) when one does not: the caller's transaction then rolls back, so nothing of the run is
    kept. The pipeline checks references row by row already (a located ``unknown patient
    reference``), so this only fails when the store changed under the run or a writer is wrong.
    """
    quote = connection.dialect.identifier_preparer.quote
    for name in tables:
        table = LINKAGE_TOKENS if name == LINKAGE_TOKENS.name else TABLES[name]
        for key in sorted(table.foreign_keys, key=lambda key: key.parent.name):
            child, parent = quote(key.parent.name), key.column
            # Each distinct reference once, read in order from the table's index on it (every
            # record table has one starting with patient_id): at 1,000,000 administrations
            # 0.08 s, where PRAGMA foreign_key_check probes the parent once per row (0.5 s).
            # Names are the store's own tables and columns; nothing here comes from input.
            broken = connection.exec_driver_sql(
                f"SELECT 1 FROM (SELECT DISTINCT {child} AS ref FROM {quote(name)}) AS d "  # noqa: S608
                f"WHERE d.ref IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
                f"{quote(parent.table.name)} AS p WHERE p.{quote(parent.name)} = d.ref) LIMIT 1"
            ).first()
            if broken is None:
                continue
            # Only to say where: SQLite's own check names the first broken row.
            found = connection.exec_driver_sql(f"PRAGMA foreign_key_check({quote(name)})").first()
            rowid = found[1] if found is not None else "?"
            raise Conflict(
                f"{name} row {rowid}: {key.parent.name} refers to a {parent.table.name} the "
                "store does not hold; nothing of this run was stored"
            )


def _enforces_foreign_keys(connection: Connection) -> bool:
    if connection.dialect.name != "sqlite":
        return True
    return bool(connection.exec_driver_sql("PRAGMA foreign_keys").scalar())


def _split_tokens(rows: list[dict[str, Any]]) -> dict[str, bytes | None] | None:
    """Remove the linkage tokens from patient rows; return them by patient (None: no secret)."""
    if not rows or LINKAGE_TOKEN_FIELD not in rows[0]:
        return None
    return {row["id"]: row.pop(LINKAGE_TOKEN_FIELD) for row in rows}
