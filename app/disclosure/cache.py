"""The persistent answer cache: the same question over the same data gets the same answer.

Keyed by a digest of (requester key id, canonical query with the effective policy, data version).
The stored value is the FHIR ``MeasureReport`` as sent, so a repeated query returns byte-for-byte
the same counts (the same noise) and costs no new ε: averaging repeated answers learns nothing.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import Connection, insert, select

from app.disclosure.tables import answer_cache_table


def answer_cache_key(*, requester_kid: str, query_key: str, data_version: str) -> str:
    """Return the cache key (SHA-256 hex) of an answer."""
    material = orjson.dumps([requester_kid, query_key, data_version])
    return hashlib.sha256(material).hexdigest()


def cached_report(connection: Connection, cache_key: str) -> dict[str, Any] | None:
    """Return the cached MeasureReport for ``cache_key``, or None."""
    stored = connection.execute(
        select(answer_cache_table.c.report_json).where(answer_cache_table.c.cache_key == cache_key)
    ).scalar_one_or_none()
    return None if stored is None else orjson.loads(stored)


def store_report(
    connection: Connection,
    *,
    cache_key: str,
    requester_kid: str,
    query_key: str,
    data_version: str,
    report: dict[str, Any],
) -> None:
    """Store ``report`` under ``cache_key`` in the caller's transaction."""
    connection.execute(
        insert(answer_cache_table).values(
            cache_key=cache_key,
            requester_kid=requester_kid,
            data_version=data_version,
            query_key=query_key,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            report_json=orjson.dumps(report).decode(),
        )
    )
