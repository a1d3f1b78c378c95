"""Give every stored patient and counted record its secret record keys (``app.deid.record_keys``).

Rows ingested by this release get them as they are written; ``assign_record_keys`` fills in rows
written by an earlier release, from their stored pseudonyms — no re-import needed. The node runs
it at start and every ingest runs it in its transaction; with nothing missing it is one query per
table.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine

from app.deid.record_keys import record_keys_for
from app.store.dose_signals import refresh_dose_signals
from app.store.record_keys import KEYED_TABLES, ids_without_keys, set_record_keys


def assign_record_keys(
    connection: Connection, secret: bytes, *, complete: frozenset[str] = frozenset()
) -> int:
    """Set the keys of every keyed row that has none, in the caller's transaction; return how many.

    Tables named in ``complete`` are known to hold keys on every row (an ingest filled them from
    empty, keys included) and are not searched: the search reads the whole table.
    """
    assigned = 0
    for kind in KEYED_TABLES:
        if kind in complete:
            continue
        while ids := ids_without_keys(connection, kind):
            set_record_keys(connection, kind, record_keys_for(secret, kind, ids))
            assigned += len(ids)
    return assigned


def assign_missing_record_keys(engine: Engine, secret: bytes) -> int:
    """Run ``assign_record_keys`` in a transaction of its own; return how many rows got keys."""
    with engine.begin() as connection:
        assigned = assign_record_keys(connection, secret)
        # Keys written to administrations changed their kept signals' copies.
        refresh_dose_signals(connection)
        return assigned
