"""Requests held for the node's data steward: what was asked, the decision, the answer delivered.

A request under ``manual`` approval is verified first and then kept here whole — the signed
request exactly as received (method, target URI, signature fields, body) — so the answer made
when the steward approves can be signed bound to it, as if answered at once. One row per hub task
(a task fetched twice is held once). ``decide`` changes a row only while it is ``pending``, so
two stewards cannot both decide one request. Rows are kept after the decision: the answer (or
denial) stays until the hub has it, then as a record.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    select,
    update,
)

approval_table = Table(
    "node_approval",
    MetaData(),
    Column("id", String(16), primary_key=True),
    Column("task_id", String(64), nullable=False, unique=True),
    Column("task_expires_s", BigInteger, nullable=False),
    Column("peer", String(120), nullable=False),
    Column("kid", String(200), nullable=False),
    Column("measure", String(64), nullable=False),
    Column("query_json", Text, nullable=False),
    Column("request_method", String(8), nullable=False),
    Column("request_url", Text, nullable=False),
    Column("request_headers_json", Text, nullable=False),
    Column("request_body_base64", Text, nullable=False),
    Column("request_digest", Text, nullable=False),
    Column("received_at", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("decided_by", String(120)),
    Column("decided_at", String(32)),
    Column("note", Text),
    Column("response_status", Integer),
    Column("response_headers_json", Text),
    Column("response_body_base64", Text),
    Column("delivered_at", String(32)),
    Column("delivery_detail", Text),
)
"""One held request per hub task: ``pending``, then ``approved``, ``denied`` or ``expired``."""


@dataclass(frozen=True)
class HeldRequest:
    """A request held for the steward, with its decision and signed answer once made."""

    id: str
    task_id: str
    task_expires_s: int
    peer: str
    kid: str
    measure: str
    query: dict[str, Any]
    request_method: str
    request_url: str
    request_headers: dict[str, str]
    request_body: bytes
    request_digest: str
    received_at: str
    status: str
    decided_by: str | None
    decided_at: str | None
    note: str | None
    response_status: int | None
    response_headers: dict[str, str] | None
    response_body: bytes | None
    delivered_at: str | None
    delivery_detail: str | None

    @classmethod
    def from_row(cls, row: Any) -> HeldRequest:
        """Return the held request of a ``node_approval`` row."""
        return cls(
            id=row.id, task_id=row.task_id, task_expires_s=row.task_expires_s, peer=row.peer,
            kid=row.kid, measure=row.measure, query=orjson.loads(row.query_json),
            request_method=row.request_method, request_url=row.request_url,
            request_headers=orjson.loads(row.request_headers_json),
            request_body=base64.b64decode(row.request_body_base64),
            request_digest=row.request_digest, received_at=row.received_at, status=row.status,
            decided_by=row.decided_by, decided_at=row.decided_at, note=row.note,
            response_status=row.response_status,
            response_headers=(
                orjson.loads(row.response_headers_json) if row.response_headers_json else None
            ),
            response_body=(
                base64.b64decode(row.response_body_base64) if row.response_body_base64 else None
            ),
            delivered_at=row.delivered_at, delivery_detail=row.delivery_detail,
        )  # fmt: skip


def hold_request(
    connection: Connection,
    *,
    approval_id: str,
    task_id: str,
    task_expires_s: int,
    peer: str,
    kid: str,
    measure: str,
    query: dict[str, Any],
    request_method: str,
    request_url: str,
    request_headers: dict[str, str],
    request_body: bytes,
    request_digest: str,
    received_at: str,
) -> HeldRequest:
    """Keep a request for the steward; return it (the one already held for the same task if any).

    A task is handed out again only after its signature expired, so two copies of one task never
    arrive together; the unique task id still refuses a second row (``IntegrityError``).
    """
    held = held_for_task(connection, task_id)
    if held is not None:
        return held
    connection.execute(
        approval_table.insert().values(
            id=approval_id,
            task_id=task_id,
            task_expires_s=task_expires_s,
            peer=peer,
            kid=kid,
            measure=measure,
            query_json=orjson.dumps(query).decode(),
            request_method=request_method,
            request_url=request_url,
            request_headers_json=orjson.dumps(request_headers).decode(),
            request_body_base64=base64.b64encode(request_body).decode("ascii"),
            request_digest=request_digest,
            received_at=received_at,
            status="pending",
        )
    )
    stored = held_for_task(connection, task_id)
    if stored is None:
        raise RuntimeError(f"approval for task {task_id} was not stored")
    return stored


def held_request(connection: Connection, approval_id: str) -> HeldRequest | None:
    """Return one held request by its approval id, or None."""
    row = connection.execute(select(approval_table).where(approval_table.c.id == approval_id))
    first = row.first()
    return HeldRequest.from_row(first) if first is not None else None


def held_for_task(connection: Connection, task_id: str) -> HeldRequest | None:
    """Return the request held for a hub task, or None."""
    row = connection.execute(select(approval_table).where(approval_table.c.task_id == task_id))
    first = row.first()
    return HeldRequest.from_row(first) if first is not None else None


def held_requests(connection: Connection, *, status: str | None = "pending") -> list[HeldRequest]:
    """Return held requests (``pending`` ones by default; all with None), oldest first."""
    statement = select(approval_table).order_by(approval_table.c.received_at, approval_table.c.id)
    if status is not None:
        statement = statement.where(approval_table.c.status == status)
    return [HeldRequest.from_row(row) for row in connection.execute(statement)]


def decide(
    connection: Connection,
    approval_id: str,
    *,
    status: str,
    decided_by: str,
    decided_at: str,
    note: str | None,
    response_status: int | None = None,
    response_headers: dict[str, str] | None = None,
    response_body: bytes | None = None,
) -> bool:
    """Record the steward's decision and the signed answer; return False unless it was pending."""
    result = connection.execute(
        update(approval_table)
        .where(approval_table.c.id == approval_id, approval_table.c.status == "pending")
        .values(
            status=status,
            decided_by=decided_by,
            decided_at=decided_at,
            note=note,
            response_status=response_status,
            response_headers_json=(
                orjson.dumps(response_headers).decode() if response_headers is not None else None
            ),
            response_body_base64=(
                base64.b64encode(response_body).decode("ascii")
                if response_body is not None
                else None
            ),
        )
    )
    return bool(result.rowcount)


def undelivered(connection: Connection) -> list[HeldRequest]:
    """Return decided requests whose answer the hub has not acknowledged yet, oldest first."""
    statement = (
        select(approval_table)
        .where(
            approval_table.c.status.in_(("approved", "denied")),
            approval_table.c.delivered_at.is_(None),
        )
        .order_by(approval_table.c.decided_at, approval_table.c.id)
    )
    return [HeldRequest.from_row(row) for row in connection.execute(statement)]


def mark_delivered(connection: Connection, approval_id: str, *, at: str, detail: str) -> None:
    """Record that the hub took (or finally refused) a decided request's answer."""
    connection.execute(
        update(approval_table)
        .where(approval_table.c.id == approval_id)
        .values(delivered_at=at, delivery_detail=detail[:500])
    )


def note_delivery_attempt(connection: Connection, approval_id: str, *, detail: str) -> None:
    """Record why the last delivery did not reach the hub (it is tried again later)."""
    connection.execute(
        update(approval_table)
        .where(approval_table.c.id == approval_id)
        .values(delivery_detail=detail[:500])
    )
