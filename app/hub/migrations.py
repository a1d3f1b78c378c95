"""The hub database's one migration list: its query tables and the trust tables, versioned.

Release 0.1.0 created these tables without a version; version 1 and 2 adopt them (create them
when missing, keep them as they are when present). Append new migrations at the end (later
tasks' tables too); never edit one (see ``app.schema_versions``).
"""

from __future__ import annotations

from sqlalchemy import Engine

from app.hub.tables import node_result_table, overlap_round_table, query_table, task_table
from app.hub.witness import witness_table
from app.schema_versions import Migration, SchemaHistory, creating, upgrade
from app.trust.tables import audit_checkpoint, audit_log, request_nonce

HUB_SCHEMA = SchemaHistory(
    version_table="hub_schema_version",
    migrations=(
        Migration(
            "hub_query and hub_node_result: federated queries, per-node outcomes and receipts",
            creating(query_table, node_result_table),
        ),
        Migration(
            "trust tables: request nonces, audit log, audit checkpoints",
            creating(request_nonce, audit_log, audit_checkpoint),
        ),
        Migration(
            "hub_overlap_round: the rounds of the cross-border overlap exchange, with receipts",
            creating(overlap_round_table),
        ),
        Migration(
            "hub_task: one task per node and query (push and pull delivery, approvals)",
            creating(task_table),
        ),
        Migration(
            "hub_audit_witness: the signed audit checkpoints nodes send with their answers",
            creating(witness_table),
        ),
    ),
)


def upgrade_hub_schema(engine: Engine) -> int:
    """Apply every pending migration of the hub database; return the resulting version.

    Raises ``ConfigError`` for a database made by a newer release.
    """
    return upgrade(engine, HUB_SCHEMA)
