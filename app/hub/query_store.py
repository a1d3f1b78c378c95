"""Every read and write of the hub's queries (``hub_query``) and of their outcomes as recorded.

A federated query is a ``hub_query`` row, one task per node (``task_store``) and, per node once
final, a ``hub_node_result`` row with the receipt; a cross-border overlap query also keeps the
rounds of its relay (``hub_overlap_round``). A result locks its query row
(``lock_query``) so that whoever records a query's last result also finalises it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, select, update

from app.hub.tables import node_result_table, overlap_round_table, query_table, task_table
from app.hub.task_store import tasks_of


@dataclass(frozen=True)
class Outcome:
    """A node's outcome in a query: its final result with its receipt, or its pending task."""

    node_id: str
    country: str
    status: str
    detail: str | None
    receipt_json: str | None
    """The receipt as stored (JSON text), read only by whoever needs it."""


def insert_query(
    connection: Connection,
    *,
    query_id: str,
    created_at: str,
    actor: str,
    measure: str,
    request: dict[str, Any],
) -> None:
    """Record a new query, ``running``."""
    connection.execute(
        query_table.insert().values(
            id=query_id,
            created_at=created_at,
            actor=actor,
            measure=measure,
            request_json=orjson.dumps(request).decode(),
            status="running",
        )
    )


def lock_query(connection: Connection, query_id: str) -> dict[str, Any] | None:
    """Return the query row, locked until the transaction ends (PostgreSQL), or None."""
    row = connection.execute(
        select(query_table).where(query_table.c.id == query_id).with_for_update()
    ).first()
    return dict(row._mapping) if row is not None else None


def query_row(connection: Connection, query_id: str) -> dict[str, Any] | None:
    """Return the query row, or None."""
    row = connection.execute(select(query_table).where(query_table.c.id == query_id)).first()
    return dict(row._mapping) if row is not None else None


def outcomes_of(connection: Connection, query_id: str) -> list[Outcome]:
    """Return each node's outcome of a query in node order: final results, then pending tasks."""
    results = {
        row.node_id: row
        for row in connection.execute(
            select(node_result_table)
            .where(node_result_table.c.query_id == query_id)
            .order_by(node_result_table.c.id)
        )
    }
    outcomes = []
    # Only the columns an outcome needs: whole tasks (bodies, signed headers) cost ~0.1 ms each.
    tasks = connection.execute(
        select(task_table.c.node_id, task_table.c.country, task_table.c.status,
               task_table.c.detail)
        .where(task_table.c.query_id == query_id)
        .order_by(task_table.c.position)
    )  # fmt: skip
    for node_id, country, status, detail in tasks:
        result = results.get(node_id)
        if result is None:
            outcomes.append(Outcome(node_id, country, status, detail, None))
            continue
        outcomes.append(
            Outcome(node_id, country, result.status, result.detail, result.receipt_json)
        )
    return outcomes


def finalise_query(
    connection: Connection, query_id: str, *, status: str, document: dict[str, Any]
) -> None:
    """Record a query's final status and document."""
    connection.execute(
        update(query_table)
        .where(query_table.c.id == query_id)
        .values(status=status, document_json=orjson.dumps(document).decode())
    )


def list_queries(connection: Connection) -> list[dict[str, Any]]:
    """Return past queries, newest first (id, when, who, measure, status)."""
    rows = connection.execute(
        select(
            query_table.c.id, query_table.c.created_at, query_table.c.actor,
            query_table.c.measure, query_table.c.status,
        ).order_by(query_table.c.created_at.desc(), query_table.c.id)
    ).mappings()  # fmt: skip
    return [
        {"id": row["id"], "created_at": row["created_at"], "asked_by": row["actor"],
         "measure": row["measure"], "status": row["status"]}
        for row in rows
    ]  # fmt: skip


def receipts_of(connection: Connection, query_id: str) -> list[dict[str, Any]]:
    """Return every node's final outcome of a query with its receipt, in node order."""
    positions = {task.node_id: task.position for task in tasks_of(connection, query_id)}
    rows = connection.execute(
        select(node_result_table)
        .where(node_result_table.c.query_id == query_id)
        .order_by(node_result_table.c.id)
    ).mappings()
    items = [
        {"node_id": row["node_id"], "status": row["status"], "detail": row["detail"],
         "receipt": orjson.loads(row["receipt_json"]) if row["receipt_json"] else None}
        for row in rows
    ]  # fmt: skip
    return sorted(items, key=lambda item: positions.get(item["node_id"], len(positions)))


def settled_running(connection: Connection) -> list[tuple[str, str]]:
    """Return ``(id, measure)`` of queries still ``running`` of which no task is pending."""
    pending = (
        select(task_table.c.id)
        .where(task_table.c.query_id == query_table.c.id, task_table.c.status == "pending")
        .exists()
    )
    rows = connection.execute(
        select(query_table.c.id, query_table.c.measure)
        .where(query_table.c.status == "running", ~pending)
        .limit(1000)
    )
    return [(row.id, row.measure) for row in rows]


def complete_queries_of(connection: Connection, measure: str) -> list[tuple[str, str, str]]:
    """Return ``(id, request_json, document_json)`` of a measure's complete queries, newest first."""
    rows = connection.execute(
        select(query_table.c.id, query_table.c.request_json, query_table.c.document_json)
        .where(query_table.c.measure == measure, query_table.c.status == "complete")
        .order_by(query_table.c.created_at.desc(), query_table.c.id)
    )
    return [(row.id, row.request_json, row.document_json) for row in rows]


def insert_rounds(connection: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Record the rounds of a query's overlap relay (``hub_overlap_round`` rows)."""
    if rows:
        connection.execute(overlap_round_table.insert(), list(rows))


def rounds_of(connection: Connection, query_id: str) -> list[dict[str, Any]]:
    """Return every round of a query's overlap relay with its receipt, in the order recorded."""
    rows = connection.execute(
        select(overlap_round_table)
        .where(overlap_round_table.c.query_id == query_id)
        .order_by(overlap_round_table.c.id)
    ).mappings()
    return [
        {"node_id": row["node_id"], "pair": row["pair"], "round": row["round"],
         "status": row["status"], "detail": row["detail"],
         "receipt": orjson.loads(row["receipt_json"]) if row["receipt_json"] else None}
        for row in rows
    ]  # fmt: skip
