"""Record keys in the store: the columns every counted row carries, and filling in missing ones.

``record_key`` (0..255) and ``member_hash`` (32 bits) are set at ingest (``app.deid.record_keys``
computes them from the pseudonym secret, which the store never sees). Rows written before they
existed have NULLs; ``ids_without_keys`` finds them in batches and ``set_record_keys`` writes the
keys the caller computed — the store stays free of secrets.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table, bindparam, inspect, select, text

from app.store.models import RecordBase

KEYED_TABLES = ("patient", "administration", "adverse_event", "dispense")
"""Tables whose rows are counted as members of cells: patients and the counted records."""


def _table(kind: str) -> Table:
    return RecordBase.metadata.tables[kind]


def add_record_key_columns(connection: Connection) -> None:
    """Add ``record_key`` and ``member_hash`` to the keyed tables where missing (a migration)."""
    quote = connection.dialect.identifier_preparer.quote
    for kind in KEYED_TABLES:
        present = {column["name"] for column in inspect(connection).get_columns(kind)}
        for name, sql_type in (("record_key", "SMALLINT"), ("member_hash", "BIGINT")):
            if name not in present:
                # Names are the store's own; nothing here comes from input.
                connection.execute(
                    text(f"ALTER TABLE {quote(kind)} ADD COLUMN {quote(name)} {sql_type}")
                )


def ids_without_keys(connection: Connection, kind: str, *, limit: int = 10_000) -> list[str]:
    """Return up to ``limit`` ids of ``kind`` rows that have no record key yet."""
    table = _table(kind)
    rows = connection.execute(
        select(table.c.id).where(table.c.record_key.is_(None)).order_by(table.c.id).limit(limit)
    )
    return [str(row[0]) for row in rows]


def set_record_keys(connection: Connection, kind: str, rows: Sequence[dict[str, Any]]) -> None:
    """Write ``{"id", "record_key", "member_hash"}`` rows into ``kind`` (caller's transaction)."""
    if not rows:
        return
    table = _table(kind)
    statement = (
        table.update()
        .where(table.c.id == bindparam("id_"))
        .values(record_key=bindparam("record_key"), member_hash=bindparam("member_hash"))
    )
    connection.execute(
        statement,
        [
            {"id_": r["id"], "record_key": r["record_key"], "member_hash": r["member_hash"]}
            for r in rows
        ],
    )
