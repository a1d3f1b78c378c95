"""The hub database: queries, their tasks, per-node outcomes and receipts (SQLAlchemy Core).

Created and versioned by the hub's migration list (``app.hub.migrations``).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, MetaData, String, Table, Text

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

# One task per node and query: the work queue of push and pull delivery (docs/governance.md).
# ``status`` is the node's contract status (``pending`` until final); ``stage`` is where the work
# stands: ``queued`` (to be sent or fetched), ``leased`` (sent or fetched, until
# ``lease_until_s``), ``approval`` (a steward decides at the node), ``done``. ``position`` is the
# node's place in hub.toml when the query started (the document's node order); ``url``, ``method``
# and ``body_base64`` are the request every signing of the task covers, ``request_headers_json``
# the signed headers of the last one.
task_table = Table(
    "hub_task",
    hub_metadata,
    Column("id", String(36), primary_key=True),
    Column("query_id", String(36), ForeignKey("hub_query.id"), nullable=False, index=True),
    Column("node_id", String(32), nullable=False),
    Column("country", String(2), nullable=False),
    Column("position", Integer, nullable=False),
    Column("mode", String(8), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("method", String(8), nullable=False),
    Column("url", Text, nullable=False),
    Column("body_base64", Text, nullable=False),
    Column("request_headers_json", Text),
    Column("status", String(24), nullable=False),
    Column("detail", Text),
    Column("stage", String(16), nullable=False),
    Column("lease_until_s", BigInteger),
    Column("attempts", Integer, nullable=False, default=0),
    Column("created_s", BigInteger, nullable=False),
    Column("deadline_s", BigInteger, nullable=False),
    Column("approval_ref", String(64)),
    Column("finished_s", BigInteger),
    Index("ix_hub_task_queue", "node_id", "status", "stage"),
)
