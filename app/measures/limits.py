"""Bounding the work of one measure evaluation: a time limit the database enforces itself.

On PostgreSQL ``SET LOCAL statement_timeout`` cancels the statement server-side (and a larger
``work_mem`` keeps the index-administration sorts in memory); on SQLite a progress handler
interrupts the statement. Either way the node stops working on a query the peer has given up on,
rather than only stopping to wait for it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, exc, text

from app.errors import Unavailable

WORK_MEM = "64MB"
_PROGRESS_STEPS = 20_000  # SQLite VM instructions between deadline checks (~1 ms)


@contextmanager
def evaluation_limits(connection: Connection, timeout_s: float | None) -> Iterator[None]:
    """Run the block under a database-enforced time limit; raises ``Unavailable`` (503) past it."""
    dialect = connection.dialect.name
    raw = connection.connection.driver_connection
    if dialect == "postgresql":
        connection.execute(text(f"SET LOCAL work_mem = '{WORK_MEM}'"))
        if timeout_s is not None:
            connection.execute(text(f"SET LOCAL statement_timeout = {int(timeout_s * 1000)}"))
    elif dialect == "sqlite" and timeout_s is not None and raw is not None:
        deadline = time.monotonic() + timeout_s
        raw.set_progress_handler(lambda: int(time.monotonic() > deadline), _PROGRESS_STEPS)
    try:
        yield
    except exc.OperationalError as error:
        if timeout_s is not None and _is_timeout(error):
            raise Unavailable(f"the query ran over query_timeout_s ({timeout_s:g} s)") from None
        raise
    finally:
        if dialect == "sqlite" and raw is not None:
            raw.set_progress_handler(None, 0)


def _is_timeout(error: exc.OperationalError) -> bool:
    message = str(error.orig).lower()
    return (
        "interrupted" in message
        or "statement timeout" in message
        or "canceling statement" in message
    )
