"""The index administrations as a temporary table with statistics, on PostgreSQL.

Written as a CTE, the index (first instant per patient, joined back to break ties by id) is
estimated by PostgreSQL at one row whatever the data: its join on ``(patient_id, at_s = min)``
has no statistics to go by. Every later step then gets a nested-loop plan sized for one patient
(tens of thousands of index probes where a hash join reads each table once). Stored in a
temporary table and ``ANALYZE``d, the index has exact row counts and value statistics, so the
planner sizes every join to it correctly. SQLite plans these joins well without this and keeps
the CTE (a temporary table there would only add a write).

The table lives in the session (temporary tables are private to a connection) and is dropped
once the measure is counted; a failed statement leaves it to the transaction's rollback, and
the next evaluation on the connection drops any left-over first.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Select, TableClause, column, table

from app.measures.cohort import MeasureContext

INDEX_TABLE = "ketanet_index_adm"


@contextmanager
def materialised_index(connection: Connection, context: MeasureContext) -> Iterator[None]:
    """Within the block, ``context.index`` is a temporary, analysed table (PostgreSQL only).

    The table is created when a measure first reads the index, so measures without it (the
    administrations of unfiltered patients) pay nothing.
    """
    if connection.dialect.name != "postgresql":
        yield
        return
    # JIT compilation costs ~0.2 s per statement of this size and wins nothing back on it.
    connection.exec_driver_sql("SET LOCAL jit = off")
    created = False

    def materialise(rows: Select[Any]) -> TableClause:
        nonlocal created
        compiled = rows.compile(
            dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
        )
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS pg_temp.{INDEX_TABLE}")
        # The statement is SQLAlchemy's own rendering of the index query; values stay bound.
        connection.exec_driver_sql(
            f"CREATE TEMPORARY TABLE {INDEX_TABLE} AS {compiled}", compiled.params
        )
        # Statistics of the join column are all the planner needs (row count, distinct ids).
        connection.exec_driver_sql(f"ANALYZE {INDEX_TABLE} (patient_id)")
        created = True
        return table(INDEX_TABLE, *(column(c.name, c.type) for c in rows.selected_columns))

    context.materialise_index = materialise
    yield
    context.materialise_index = None
    if created:
        connection.exec_driver_sql(f"DROP TABLE {INDEX_TABLE}")
