"""The hub database: queries, per-node outcomes and receipts (SQLAlchemy Core, own MetaData).

Created and versioned by the hub's migration list (``app.hub.migrations``).
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, MetaData, String, Table, Text

hub_metadata = MetaData()

query_table = Table(
    "hub_query",
    hub_metadata,
    Column("id", String(36), primary_key=True),
    Column("created_at", String(40), nullable=False),
    Column("actor", String(120), nullable=False),
    Column("measure", String(64), nullable=False),
    Column("request_json", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("document_json", Text),
)

node_result_table = Table(
    "hub_node_result",
    hub_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("query_id", String(36), ForeignKey("hub_query.id"), nullable=False, index=True),
    Column("node_id", String(32), nullable=False),
    Column("status", String(24), nullable=False),
    Column("detail", Text),
    Column("receipt_json", Text),
)

overlap_round_table = Table(
    "hub_overlap_round",
    hub_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("query_id", String(36), ForeignKey("hub_query.id"), nullable=False, index=True),
    Column("pair", String(16), nullable=False),
    Column("round", String(16), nullable=False),
    Column("node_id", String(32), nullable=False),
    Column("status", String(24), nullable=False),
    Column("detail", Text),
    Column("receipt_json", Text),
)
"""One round of the cross-border overlap exchange: its receipt, blinded sets as digests only."""
