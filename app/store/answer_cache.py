"""The persistent answer cache: the same question over the same data gets the same answer.

Keyed by a digest of (requester key id, canonical query with the effective policy, data version).
The stored value is the FHIR ``MeasureReport`` exactly as it was first sent (its JSON bytes, kept
as UTF-8 text), so a repeated query returns byte-for-byte the same report (the same noise, the
same time stamp) and costs no new ε: averaging repeated answers learns nothing. The node signs the
bytes it gets back; nothing is parsed and written again on the way.
"""

from __future__ import annotations

import hashlib

import orjson
from sqlalchemy import Column, Connection, Index, MetaData, String, Table, Text, insert, select

answer_cache_table = Table(
    "disclosure_answer_cache",
    MetaData(),
    Column("cache_key", String(64), primary_key=True),
    Column("requester_kid", String(200), nullable=False),
    Column("data_version", String(200), nullable=False),
    Column("query_key", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("report_json", Text, nullable=False),
    Index("ix_disclosure_answer_cache_requester", "requester_kid"),
)
"""One answer (a FHIR MeasureReport) per (requester key, canonical query and policy, data version)."""


def answer_cache_key(*, requester_kid: str, query_key: str, data_version: str) -> str:
    """Return the cache key (SHA-256 hex) of an answer."""
    material = orjson.dumps([requester_kid, query_key, data_version])
    return hashlib.sha256(material).hexdigest()


def cached_report(connection: Connection, cache_key: str) -> bytes | None:
    """Return the cached MeasureReport bytes for ``cache_key`` as first sent, or None."""
    stored = connection.execute(
        select(answer_cache_table.c.report_json).where(answer_cache_table.c.cache_key == cache_key)
    ).scalar_one_or_none()
    return None if stored is None else str(stored).encode()


def store_report(
    connection: Connection,
    *,
    cache_key: str,
    requester_kid: str,
    query_key: str,
    data_version: str,
    report: bytes,
    created_at: str,
) -> None:
    """Store the ``report`` bytes (UTF-8 JSON) under ``cache_key`` in the caller's transaction.

    Raises SQLAlchemy's ``IntegrityError`` when a concurrent twin stored the key first.
    """
    connection.execute(
        insert(answer_cache_table).values(
            cache_key=cache_key,
            requester_kid=requester_kid,
            data_version=data_version,
            query_key=query_key,
            created_at=created_at,
            report_json=report.decode(),
        )
    )
