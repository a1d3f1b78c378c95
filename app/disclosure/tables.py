"""The disclosure package's own tables in the node database: answer cache and ε ledger.

They live in their own ``MetaData`` so the record store's migrations never touch them, and are
created with ``create_disclosure_tables`` (idempotent) on SQLite or PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Engine, Index, MetaData, String, Table, Text

disclosure_metadata = MetaData()

answer_cache_table = Table(
    "disclosure_answer_cache",
    disclosure_metadata,
    Column("cache_key", String(64), primary_key=True),
    Column("requester_kid", String(200), nullable=False),
    Column("data_version", String(200), nullable=False),
    Column("query_key", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("report_json", Text, nullable=False),
    Index("ix_disclosure_answer_cache_requester", "requester_kid"),
)
"""One answer (a FHIR MeasureReport) per (requester key, canonical query and policy, data version)."""

epsilon_ledger_table = Table(
    "disclosure_epsilon_ledger",
    disclosure_metadata,
    Column("requester_kid", String(200), primary_key=True),
    Column("spent_micro_epsilon", BigInteger, nullable=False),
)
"""ε spent per requester, in millionths so sums are exact integers (no float drift)."""


def create_disclosure_tables(engine: Engine) -> None:
    """Create the answer cache and ε ledger tables when missing."""
    disclosure_metadata.create_all(engine)
