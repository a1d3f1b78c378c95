"""Node and hub databases as release 0.1.0 left them, from ``tests/data/release-0.1.0/*.sql``.

The SQL text is that release's own SQLite databases, dumped (see ``generate.py`` there). On
PostgreSQL the same state is rebuilt the way 0.1.0 built it: the node's first two migrations
through the version table, every other table created outside any version, then the rows copied.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import Engine, Table, inspect, select, text
from sqlalchemy.schema import sort_tables

from app.database import create_store_engine
from app.hub.migrations import HUB_SCHEMA
from app.hub.tables import hub_metadata
from app.schema_versions import SchemaHistory, creating, upgrade
from app.store.answer_cache import answer_cache_table
from app.store.approvals import approval_table
from app.store.dose_signals import DOSE_SIGNAL_METADATA
from app.store.event_attribution import EVENT_ATTRIBUTION_METADATA
from app.store.migrations import NODE_SCHEMA
from app.store.models import RecordBase
from app.store.privacy_ledger import epsilon_ledger_table, ledger_charge_table
from app.store.released_cells import released_cell_table
from app.trust.tables import trust_metadata

DATA = Path(__file__).resolve().parents[1] / "data" / "release-0.1.0"
NODE_0_1_0 = SchemaHistory(NODE_SCHEMA.version_table, NODE_SCHEMA.migrations[:2])
"""The node's migration list as release 0.1.0 shipped it (migrations are never edited)."""

KNOWN_TABLES: dict[str, Table] = {
    table.name: table
    for table in (
        *RecordBase.metadata.tables.values(),
        *DOSE_SIGNAL_METADATA.tables.values(),
        *EVENT_ATTRIBUTION_METADATA.tables.values(),
        *trust_metadata.tables.values(),
        *hub_metadata.tables.values(),
        answer_cache_table,
        approval_table,
        epsilon_ledger_table,
        ledger_charge_table,
        released_cell_table,
        NODE_SCHEMA.table(),
        HUB_SCHEMA.table(),
    )
}
"""Every table today's code knows, by name: a 0.1.0 table missing here would be an orphan."""

Rows = dict[str, list[tuple[object, ...]]]


def load_sqlite(dump: str, database: Path) -> str:
    """Create ``database`` from the SQL text ``dump`` (``node.sql``/``hub.sql``); return its URL."""
    connection = sqlite3.connect(database)
    try:
        connection.executescript((DATA / dump).read_text(encoding="utf-8"))
    finally:
        connection.close()
    return f"sqlite:///{database}"


def table_rows(engine: Engine) -> Rows:
    """Return every row of every table of the database, by table, in primary-key order."""
    rows: Rows = {}
    with engine.connect() as connection:
        for name in inspect(connection).get_table_names():
            table = KNOWN_TABLES[name]
            # The columns the database has, in its order: a later release may have added some
            # (at the end), and an old database does not have them yet.
            present = [column["name"] for column in inspect(connection).get_columns(name)]
            query = select(*(table.c[column] for column in present)).order_by(
                *table.primary_key.columns
            )
            rows[name] = [tuple(row) for row in connection.execute(query)]
    return rows


def rebuild_on_postgres(sqlite_url: str, postgres_url: str, *, node: bool) -> None:
    """Give the PostgreSQL database ``postgres_url`` the 0.1.0 schema and the SQLite rows."""
    source = create_store_engine(sqlite_url)
    target = create_store_engine(postgres_url)
    try:
        if node:
            upgrade(target, NODE_0_1_0)
            unversioned = [
                *trust_metadata.tables.values(),
                answer_cache_table,
                epsilon_ledger_table,
            ]
        else:
            unversioned = [*hub_metadata.tables.values(), *trust_metadata.tables.values()]
        with target.begin() as connection:
            creating(*unversioned)(connection)
        names = set(inspect(source).get_table_names()) - {NODE_SCHEMA.version_table}
        _copy(source, target, sort_tables([KNOWN_TABLES[name] for name in names]))
    finally:
        source.dispose()
        target.dispose()


def _copy(source: Engine, target: Engine, tables: Iterable[Table]) -> None:
    with source.connect() as reading, target.begin() as writing:
        for table in tables:
            present = [column["name"] for column in inspect(reading).get_columns(table.name)]
            query = select(*(table.c[column] for column in present))
            rows = [row._asdict() for row in reading.execute(query)]
            if not rows:
                continue
            writing.execute(table.insert(), rows)
            serial = table.autoincrement_column
            if serial is not None:
                # Copied ids leave the sequence behind; the next insert must not reuse one.
                writing.execute(
                    text("SELECT setval(pg_get_serial_sequence(:table, :column), :last)"),
                    {
                        "table": table.name,
                        "column": serial.name,
                        "last": max(row[serial.name] for row in rows),
                    },
                )
