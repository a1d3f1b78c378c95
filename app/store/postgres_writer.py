"""PostgreSQL bulk writes: ``COPY`` into the tables (or into staging tables) and one set-based merge.

``PostgresBulkWriter`` stores what ``StoreWriter`` stores, with the same outcome, in a form that
suits PostgreSQL: rows go through one binary ``COPY`` per target, kept open across batches.

- A table empty when the run first writes to it is loaded straight: its foreign keys, its
  secondary indexes and (when nothing references it) its primary key are dropped first and
  re-added once at the end, inside the run's transaction, so PostgreSQL builds each index once
  from all rows and checks each foreign key with one join instead of a lookup per row. Such a
  table is then ``ANALYZE``d, so the first queries after the load are planned on its statistics.
- Any other table gets a ``TEMP`` staging table (dropped at commit or rollback); at the end one
  ``INSERT ... SELECT ... ON CONFLICT (id) DO UPDATE ... WHERE row_hash differs ... RETURNING``
  inserts the new rows, updates the changed ones and leaves unchanged ones alone. Its counts per
  batch come back from ``finish`` (the batches' ``tag``), since only the merge knows them.

Linkage tokens follow their patients as in ``StoreWriter``: written for new or changed patients,
removed when a changed patient has none. Nothing here commits: a failure anywhere leaves the store
as it was once the caller rolls back (``close`` ends a ``COPY`` in flight first).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Table, select, text

from app.linkage import LINKAGE_TOKEN_FIELD
from app.store.models import LINKAGE_TOKENS
from app.store.writer import TABLES

if TYPE_CHECKING:  # psycopg is imported only where a PostgreSQL engine runs
    from psycopg import Copy, Cursor

TAG = "ketanet_tag_"
"""Staging column: which batch a staged row came from (its counts are reported per batch)."""
TOKEN = "ketanet_token_"  # noqa: S105 - a column name, not a secret
"""Staging column of patients: the linkage token (NULL: none), merged into its own table."""

_BINARY_TYPES = {
    "VARCHAR": "varchar",
    "INTEGER": "int4",
    "BIGINT": "int8",
    "SMALLINT": "int2",
    "FLOAT": "float8",
    "DOUBLE PRECISION": "float8",
    "BOOLEAN": "bool",
    "BYTEA": "bytea",
    "TEXT": "text",
}


@dataclass
class _Target:
    """Where one kind's rows go in this run."""

    kind: str
    table: Table
    fields: list[str]
    """The keys of its rows, in order (the linkage token among them for patients with tokens)."""
    columns: list[str]
    """Its store columns among ``fields``."""
    staged: bool
    tokens: bool
    """Patient rows carry linkage tokens."""
    tokens_pending: list[tuple[str, bytes]] = field(default_factory=list)
    """Tokens of straight-loaded patients, copied once the patients' ``COPY`` ends."""


@dataclass
class _Removed:
    """A constraint or index dropped for a bulk load, with the SQL that puts it back."""

    restore: str
    order: int


class PostgresBulkWriter:
    """Writes batches of store rows of every kind through ``COPY``, inside the run's transaction."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        driver = connection.connection.driver_connection
        assert driver is not None  # an open connection has its driver's
        self._cursor: Cursor[Any] = driver.cursor()
        self._quote = connection.dialect.identifier_preparer.quote
        self._targets: dict[str, _Target] = {}
        self._copy: Copy | None = None
        self._copy_manager: AbstractContextManager[Copy] | None = None
        self._copying: str | None = None
        self._removed: list[_Removed] = []
        self._tags: list[object] = []
        self._tag_numbers: dict[int, int] = {}
        self._patients_at_start: bool | None = None

    def write(
        self, kind: str, rows: list[dict[str, Any]], *, tag: object = None
    ) -> tuple[int, int, int]:
        """Copy ``rows`` of ``kind``; return (inserted, updated, unchanged) as far as known now.

        Rows of a table loaded straight are all inserted; staged rows count as nothing until
        ``finish`` merges them and reports them under ``tag``.
        """
        if not rows:
            return 0, 0, 0
        target = self._targets.get(kind) or self._open_target(kind, rows[0])
        if list(rows[0]) != target.fields:
            raise ValueError(f"{kind} rows of one run must have the same fields")
        copy = self._copy_into(target)
        if target.staged:
            number = self._tag_number(tag)
            for row in rows:
                copy.write_row((*row.values(), number))
            return 0, 0, 0
        if target.tokens:
            for row in rows:
                token = row.pop(LINKAGE_TOKEN_FIELD)
                if token is not None:
                    target.tokens_pending.append((row["id"], token))
                copy.write_row(tuple(row.values()))
        else:
            for row in rows:
                copy.write_row(tuple(row.values()))
        return len(rows), 0, 0

    def finish(self) -> list[tuple[object, tuple[int, int, int]]]:
        """Merge the staged rows and restore what bulk loads dropped; return the staged counts.

        Each entry is a ``tag`` given to ``write`` with the (inserted, updated, unchanged) of its rows.
        """
        self._end_copy()
        counts: dict[int, list[int]] = {}
        for target in self._targets.values():  # in the order first written: patients first
            if target.staged:
                for number, inserted, updated, unchanged in self._merge(target):
                    found = counts.setdefault(number, [0, 0, 0])
                    found[0] += inserted
                    found[1] += updated
                    found[2] += unchanged
        for removed in sorted(self._removed, key=lambda removed: removed.order):
            self._cursor.execute(removed.restore.encode())
        self._removed.clear()
        self._analyze_loaded()
        return [(self._tags[number], (c[0], c[1], c[2])) for number, c in sorted(counts.items())]

    def close(self) -> None:
        """Abandon a ``COPY`` still in flight (after a failure), so the caller can roll back.

        Safe to call more than once.
        """
        if self._copy_manager is not None:
            manager, self._copy_manager = self._copy_manager, None
            self._copy = self._copying = None
            abandoned = RuntimeError("ingest abandoned")
            manager.__exit__(RuntimeError, abandoned, None)
        self._cursor.close()

    def filled_from_empty(self) -> frozenset[str]:
        """Return the kinds whose tables were empty when this run first wrote to them."""
        return frozenset(kind for kind, target in self._targets.items() if not target.staged)

    def patient_exists(self, pseudonym: str) -> bool:
        """Return True when the store held the patient ``pseudonym`` before this run."""
        table = TABLES["patient"]
        if self._patients_at_start is None:
            self._end_copy()
            first = self._connection.execute(select(table.c.id).limit(1)).first()
            self._patients_at_start = first is not None
        if not self._patients_at_start:
            return False  # the run's own patients are known to the pipeline
        self._end_copy()
        found = self._connection.execute(select(table.c.id).where(table.c.id == pseudonym))
        return found.first() is not None

    def _open_target(self, kind: str, first: dict[str, Any]) -> _Target:
        self._end_copy()
        table = TABLES[kind]
        tokens = kind == "patient" and LINKAGE_TOKEN_FIELD in first
        fields = list(first)
        columns = [name for name in fields if name != LINKAGE_TOKEN_FIELD]
        empty = self._connection.execute(select(table.c.id).limit(1)).first() is None
        target = _Target(kind, table, fields, columns, staged=not empty, tokens=tokens)
        if kind == "patient":
            self._patients_at_start = not empty
        if target.staged:
            self._create_stage(target)
        else:
            self._remove_constraints(table)
        self._targets[kind] = target
        return target

    def _create_stage(self, target: _Target) -> None:
        quote = self._quote
        extra = f", {TOKEN} bytea" if target.tokens else ""
        self._execute(
            f"CREATE TEMP TABLE {self._stage(target)} "
            f"(LIKE {quote(target.table.name)} INCLUDING DEFAULTS, {TAG} integer{extra}) "
            "ON COMMIT DROP"
        )

    def _stage(self, target: _Target) -> str:
        return self._quote(f"ketanet_stage_{target.kind}")

    def _copy_into(self, target: _Target) -> Copy:
        """Return the ``COPY`` into ``target`` (its table or its staging table), opened once."""
        name = f"stage:{target.kind}" if target.staged else target.kind
        if self._copy is not None and self._copying == name:
            return self._copy
        self._end_copy()
        if target.staged:
            columns = [TOKEN if key == LINKAGE_TOKEN_FIELD else key for key in target.fields]
            types = [
                "bytea" if column == TOKEN else self._binary_type(target.table, column)
                for column in columns
            ]
            copy = self._start_copy(self._stage(target), [*columns, TAG], [*types, "int4"])
        else:
            types = [self._binary_type(target.table, name) for name in target.columns]
            copy = self._start_copy(self._quote(target.table.name), target.columns, types)
        self._copying = name
        return copy

    def _start_copy(self, into: str, columns: list[str], types: list[str]) -> Copy:
        names = ", ".join(self._quote(column) for column in columns)
        statement = f"COPY {into} ({names}) FROM STDIN (FORMAT BINARY)"
        manager = self._cursor.copy(statement.encode())
        copy = manager.__enter__()
        copy.set_types(types)
        self._copy, self._copy_manager = copy, manager
        return copy

    def _end_copy(self) -> None:
        """Finish the ``COPY`` in flight, if any (a query cannot run beside it)."""
        if self._copy_manager is None:
            return
        manager, copying = self._copy_manager, self._copying
        self._copy = self._copying = self._copy_manager = None
        manager.__exit__(None, None, None)
        target = self._targets.get(copying or "")
        if target is not None and target.tokens_pending:
            pending, target.tokens_pending = target.tokens_pending, []
            tokens = self._start_copy(
                self._quote(LINKAGE_TOKENS.name), ["patient_id", "token"], ["varchar", "bytea"]
            )
            for row in pending:
                tokens.write_row(row)
            self._end_copy()

    def _binary_type(self, table: Table, column: str) -> str:
        compiled = table.c[column].type.compile(dialect=self._connection.dialect)
        return _BINARY_TYPES[compiled.split("(")[0].strip().upper()]

    def _tag_number(self, tag: object) -> int:
        number = self._tag_numbers.get(id(tag))
        if number is None:
            number = self._tag_numbers[id(tag)] = len(self._tags)
            self._tags.append(tag)
        return number

    def _merge(self, target: _Target) -> list[tuple[int, int, int, int]]:
        """Merge ``target``'s staged rows; return (tag number, inserted, updated, unchanged) rows."""
        quote = self._quote
        table = quote(target.table.name)
        stage = self._stage(target)
        merged = quote(f"ketanet_merged_{target.kind}")
        columns = ", ".join(quote(column) for column in target.columns)
        updates = ", ".join(
            f"{quote(column)} = EXCLUDED.{quote(column)}"
            for column in target.columns
            if column != "id"
        )
        self._execute(f"CREATE TEMP TABLE {merged} (id varchar, inserted boolean) ON COMMIT DROP")
        # xmax is 0 on a row version this statement inserted, our transaction id on one it updated.
        self._execute(
            f"WITH written AS (INSERT INTO {table} AS t ({columns}) "  # noqa: S608 - store names
            f"SELECT {columns} FROM {stage} "
            f"ON CONFLICT (id) DO UPDATE SET {updates} "
            "WHERE t.row_hash IS DISTINCT FROM EXCLUDED.row_hash "
            "RETURNING t.id, t.xmax = 0) "
            f"INSERT INTO {merged} SELECT * FROM written"
        )
        if target.tokens:
            tokens = quote(LINKAGE_TOKENS.name)
            self._execute(
                f"DELETE FROM {tokens} k USING {merged} m "  # noqa: S608 - store names
                "WHERE k.patient_id = m.id AND NOT m.inserted"
            )
            self._execute(
                f"INSERT INTO {tokens} (patient_id, token) "  # noqa: S608 - store names
                f"SELECT s.id, s.{TOKEN} FROM {stage} s JOIN {merged} m ON m.id = s.id "
                f"WHERE s.{TOKEN} IS NOT NULL"
            )
        found = self._connection.execute(
            text(
                f"SELECT s.{TAG}, count(m.id) FILTER (WHERE m.inserted), "  # noqa: S608
                "count(m.id) FILTER (WHERE NOT m.inserted), count(*) FILTER (WHERE m.id IS NULL) "
                f"FROM {stage} s LEFT JOIN {merged} m ON m.id = s.id GROUP BY s.{TAG}"
            )
        )
        return [(int(a), int(b), int(c), int(d)) for a, b, c, d in found]

    def _analyze_loaded(self) -> None:
        """Give the planner statistics of the tables this run filled from empty.

        A table loaded in one go has none until autovacuum gets to it (a minute or more later),
        and the first queries would be planned as if it held almost nothing: nested loops over
        a million rows. ``ANALYZE`` samples a fixed number of rows, so it costs well under a
        second at any size; it runs inside the run's transaction, so a rollback discards it too.
        """
        for target in self._targets.values():
            if not target.staged:
                self._execute(f"ANALYZE {self._quote(target.table.name)}")
                if target.tokens:
                    self._execute(f"ANALYZE {self._quote(LINKAGE_TOKENS.name)}")

    def _remove_constraints(self, table: Table) -> None:
        """Drop ``table``'s foreign keys, secondary indexes and unreferenced primary key for a load.

        Their definitions are read from the catalogue and put back verbatim by ``finish``.
        """
        name = self._quote(table.name)
        catalogue = self._connection.execute(
            text(
                "SELECT c.conname, pg_get_constraintdef(c.oid), c.contype, "
                "EXISTS (SELECT 1 FROM pg_constraint r WHERE r.confrelid = c.conrelid "
                "AND r.contype = 'f') "
                "FROM pg_constraint c WHERE c.conrelid = CAST(:t AS regclass) "
                "AND c.contype IN ('p', 'f') ORDER BY c.conname"
            ),
            {"t": name},
        ).all()
        indexes = self._connection.execute(
            text(
                "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = CAST(:t AS regclass) "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) "
                "ORDER BY i.relname"
            ),
            {"t": name},
        ).all()
        for constraint, definition, kind, referenced in catalogue:
            if kind == "p" and referenced:
                continue  # other tables' foreign keys need it
            self._execute(f"ALTER TABLE {name} DROP CONSTRAINT {self._quote(constraint)}")
            self._removed.append(
                _Removed(
                    f"ALTER TABLE {name} ADD CONSTRAINT {self._quote(constraint)} {definition}",
                    order=0 if kind == "p" else 2,
                )
            )
        for index, definition in indexes:
            self._execute(f"DROP INDEX {self._quote(index)}")
            self._removed.append(_Removed(str(definition), order=1))

    def _execute(self, statement: str) -> None:
        # Every name in these statements comes from the store's own metadata or catalogue.
        self._cursor.execute(statement.encode())
