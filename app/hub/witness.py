"""The hub as witness of each node's audit log: the signed checkpoints that come with answers.

A node sends, with every answer to ``$evaluate-measure``, its audit chain head signed with its key
(header ``KetaNet-Audit-Checkpoint``: the checkpoint JSON, base64url). The hub keeps each one in
``hub_audit_witness`` when it records the node's result. A node operator who later truncates or
rewrites the log, however consistently, cannot change the copies the hub holds:
``ketanet audit verify --config node.toml --witness hub.toml`` checks the chain against them
(their signatures against the node's key). The hub stores what it received; a checkpoint is
believed only once its signature verifies there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import orjson
from sqlalchemy import Column, Connection, Integer, String, Table, Text, select

from app.hub.tables import hub_metadata
from app.trust.witness import CHECKPOINT_HEADER, decode_checkpoint

witness_table = Table(
    "hub_audit_witness",
    hub_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("node_id", String(32), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
    Column("document", Text, nullable=False),
)
"""One signed audit checkpoint a node sent with an answer (``document``: the checkpoint JSON)."""


def record_checkpoints(
    connection: Connection, results: Iterable[tuple[str, Mapping[str, Any] | None]]
) -> int:
    """Keep the checkpoint of each ``(node id, receipt JSON)`` that carries one; return how many."""
    rows = []
    for node_id, receipt in results:
        headers = (receipt or {}).get("response", {}).get("headers", {})
        value = next((v for k, v in headers.items() if k.lower() == CHECKPOINT_HEADER), None)
        document = decode_checkpoint(value) if isinstance(value, str) else None
        if document is not None:
            rows.append(
                {"node_id": node_id, "seq": document["seq"], "hash": document["hash"],
                 "document": orjson.dumps(document).decode()}
            )  # fmt: skip
    if rows:
        connection.execute(witness_table.insert(), rows)
    return len(rows)


def checkpoints_of(connection: Connection, node_id: str) -> list[dict[str, Any]]:
    """Return the checkpoints the hub holds for ``node_id``, oldest first."""
    query = (
        select(witness_table.c.document)
        .where(witness_table.c.node_id == node_id)
        .order_by(witness_table.c.id)
    )
    return [orjson.loads(document) for document in connection.execute(query).scalars()]
