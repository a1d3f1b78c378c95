"""The query document as it stands: pooled from the outcomes recorded so far (pure).

A query's recorded request and its nodes' outcomes (final results with their receipts, pending
tasks with what they wait for) give the ``QueryDocument`` served at every moment; its rows are
those of the nodes that answered. An ``ok`` outcome is read back from its receipt, the node's
signed bytes, so the document never rests on anything but what the node signed.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, cast

import orjson

from app.errors import InputError
from app.exchange.measure_report import from_measure_report
from app.hub.document import QueryDocument, QueryStatus
from app.hub.pooling import CROSS_BORDER_CAVEAT, PooledQuery, pool_answers
from app.hub.query_store import Outcome
from app.hub.replies import NODE_STATUSES, NodeReply, NodeStatus


def pooled_query(query_id: str, request: Mapping[str, Any]) -> PooledQuery:
    """Return the query being pooled from its recorded request (``query_echo`` plus version)."""
    return PooledQuery(
        query_id=query_id,
        measure=request["measure"],
        period_start=date.fromisoformat(request["period"]["start"]),
        period_end=date.fromisoformat(request["period"]["end"]),
        version=request.get("version"),
        filters=request.get("filters", {}),
        stratify=request.get("stratify", []),
        parameters=request.get("parameters", {}),
    )


def reply_of(outcome: Outcome) -> NodeReply:
    """Return the ``NodeReply`` of a recorded outcome; an ``ok`` one is parsed from its receipt."""
    if outcome.status not in NODE_STATUSES:
        return NodeReply(
            outcome.node_id, outcome.country, "invalid-report", detail="unknown status"
        )
    if outcome.status != "ok":
        status = cast(NodeStatus, outcome.status)
        return NodeReply(outcome.node_id, outcome.country, status, detail=outcome.detail)
    try:
        receipt = orjson.loads(outcome.receipt_json or "{}")
        body = base64.b64decode(receipt["response"]["body_base64"])
        answer = from_measure_report(orjson.loads(body))
    except (KeyError, TypeError, ValueError, InputError, orjson.JSONDecodeError):
        return NodeReply(
            outcome.node_id, outcome.country, "invalid-report", detail="receipt unreadable"
        )
    return NodeReply(outcome.node_id, outcome.country, "ok", answer=answer)


def query_status(document_nodes: Sequence[str]) -> QueryStatus:
    """Return ``running`` while a node is pending, else ``complete`` (one ok) or ``failed``."""
    if "pending" in document_nodes:
        return "running"
    return "complete" if "ok" in document_nodes else "failed"


def query_document(
    row: Mapping[str, Any],
    replies: Sequence[NodeReply],
    *,
    cross_border: str = CROSS_BORDER_CAVEAT,
) -> QueryDocument:
    """Return the document of a query row and its nodes' replies (in node order).

    ``cross_border`` is the double-counting caveat (the measured overlap, once there is one).
    """
    request = orjson.loads(row["request_json"])
    pooled = pool_answers(pooled_query(row["id"], request), replies, cross_border=cross_border)
    status = query_status([node.status for node in pooled.nodes])
    return QueryDocument(
        **dict(pooled), created_at=row["created_at"], asked_by=row["actor"], status=status
    )
