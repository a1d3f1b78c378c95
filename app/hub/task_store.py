"""Every read and write of the hub's task queue (``hub_task``) and of the results it records.

One task per node and query (``app.hub.tables``). Writers run in ``write_transaction``: on SQLite
it takes the write lock first (one writer at a time); on PostgreSQL claims use ``FOR UPDATE SKIP
LOCKED``, so several hub processes share the queue and a task leased by one is skipped by the
others, never waited for. A result is accepted once: ``finish_tasks`` changes only tasks still
``pending``, after reading them under a row lock, and writes each one's ``hub_node_result`` row.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, and_, bindparam, or_, select, update

from app.hub.tables import node_result_table, task_table
from app.hub.witness import record_checkpoints

QUEUED, LEASED, APPROVAL, DONE = "queued", "leased", "approval", "done"
"""A task's stage: to be sent or fetched, sent or fetched (until its lease ends), held by the
node's data steward, finished."""


@dataclass(frozen=True)
class Task:
    """One node's task of a query, as stored."""

    id: str
    query_id: str
    node_id: str
    country: str
    position: int
    mode: str
    kind: str
    method: str
    url: str
    body: bytes
    request_headers: dict[str, str] | None
    status: str
    detail: str | None
    stage: str
    lease_until_s: int | None
    attempts: int
    created_s: int
    deadline_s: int
    approval_ref: str | None

    @classmethod
    def from_row(cls, row: Any) -> Task:
        """Return the task of a ``hub_task`` row."""
        headers = row.request_headers_json
        return cls(
            id=row.id, query_id=row.query_id, node_id=row.node_id, country=row.country,
            position=row.position, mode=row.mode, kind=row.kind, method=row.method, url=row.url,
            body=base64.b64decode(row.body_base64),
            request_headers=orjson.loads(headers) if headers else None, status=row.status,
            detail=row.detail, stage=row.stage, lease_until_s=row.lease_until_s,
            attempts=row.attempts, created_s=row.created_s, deadline_s=row.deadline_s,
            approval_ref=row.approval_ref,
        )  # fmt: skip


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """Yield a connection in a transaction that commits at the end (rolls back on error)."""
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            # Take SQLite's write lock before reading, so a read-then-write is never stale.
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield connection
        except BaseException:
            connection.rollback()
            raise
        connection.commit()


def insert_tasks(connection: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Record a query's tasks (one ``executemany``); ``rows`` hold ``hub_task`` columns."""
    if rows:
        connection.execute(task_table.insert(), list(rows))


def task_of(connection: Connection, task_id: str, *, lock: bool = False) -> Task | None:
    """Return one task (locked until the transaction ends when ``lock``), or None."""
    statement = select(task_table).where(task_table.c.id == task_id)
    row = connection.execute(statement.with_for_update() if lock else statement).first()
    return Task.from_row(row) if row is not None else None


def tasks_of(connection: Connection, query_id: str) -> list[Task]:
    """Return a query's tasks in node order."""
    rows = connection.execute(
        select(task_table).where(task_table.c.query_id == query_id).order_by(task_table.c.position)
    )
    return [Task.from_row(row) for row in rows]


def _waiting(*, now_s: int, mode: str) -> Any:
    # Pending, not held for approval, not leased (or the lease ran out), deadline not passed.
    return and_(
        task_table.c.mode == mode,
        task_table.c.status == "pending",
        task_table.c.deadline_s >= now_s,
        or_(
            task_table.c.stage == QUEUED,
            and_(task_table.c.stage == LEASED, task_table.c.lease_until_s < now_s),
        ),
    )


def has_waiting(connection: Connection, *, now_s: int, mode: str, node_id: str) -> bool:
    """Return whether a node has waiting tasks of ``mode`` (a read, no lock)."""
    waiting = and_(_waiting(now_s=now_s, mode=mode), task_table.c.node_id == node_id)
    return connection.execute(select(task_table.c.id).where(waiting).limit(1)).first() is not None


def claim_tasks(
    connection: Connection,
    *,
    now_s: int,
    lease_s: int,
    mode: str,
    node_id: str | None = None,
    query_id: str | None = None,
    limit: int = 100,
) -> list[Task]:
    """Lease the waiting tasks of ``mode`` (one node's, one query's, or all) and return them.

    Waiting: pending, not held for approval, not leased (or the lease ran out), deadline not
    passed. Rows another process is claiming are skipped, never waited for.
    """
    waiting = _waiting(now_s=now_s, mode=mode)
    if node_id is not None:
        waiting = and_(waiting, task_table.c.node_id == node_id)
    if query_id is not None:
        waiting = and_(waiting, task_table.c.query_id == query_id)
    rows = connection.execute(
        select(task_table)
        .where(waiting)
        .order_by(task_table.c.created_s, task_table.c.position)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    tasks = [Task.from_row(row) for row in rows]
    if tasks:
        connection.execute(
            update(task_table)
            .where(task_table.c.id.in_([task.id for task in tasks]))
            .values(stage=LEASED, lease_until_s=now_s + lease_s, attempts=task_table.c.attempts + 1)
        )
    return tasks


def set_request_headers(connection: Connection, task_id: str, headers: dict[str, str]) -> None:
    """Record the signed headers of the request last handed out for a task."""
    connection.execute(
        update(task_table)
        .where(task_table.c.id == task_id)
        .values(request_headers_json=orjson.dumps(headers).decode())
    )


def hold_task(
    connection: Connection,
    task_id: str,
    *,
    request_headers: dict[str, str],
    approval_ref: str | None,
) -> bool:
    """Mark a pending task as held by the node's steward; return False when it is not pending."""
    result = connection.execute(
        update(task_table)
        .where(task_table.c.id == task_id, task_table.c.status == "pending")
        .values(
            stage=APPROVAL,
            detail="awaiting-approval",
            lease_until_s=None,
            approval_ref=approval_ref,
            request_headers_json=orjson.dumps(request_headers).decode(),
        )
    )
    return bool(result.rowcount)


@dataclass(frozen=True)
class Finished:
    """A task's final outcome to record: status, detail and the receipt (JSON-ready or None)."""

    task: Task
    status: str
    detail: str | None
    receipt: dict[str, Any] | None


# Built once: a fan-out records every node's outcome with the same two statements.
_STILL_PENDING = (
    select(task_table.c.id)
    .where(task_table.c.id.in_(bindparam("ids", expanding=True)), task_table.c.status == "pending")
    .with_for_update()
)


_FINISH = (
    update(task_table)
    .where(task_table.c.id == bindparam("task_id"), task_table.c.status == "pending")
    .values(
        status=bindparam("new_status"),
        detail=bindparam("new_detail"),
        stage=DONE,
        lease_until_s=None,
        finished_s=bindparam("now_s"),
    )
)


_RESULT = node_result_table.insert()


def finish_tasks(connection: Connection, finished: Sequence[Finished], *, now_s: int) -> set[str]:
    """Record tasks' final outcomes and receipts; return the ids recorded (others were final)."""
    if not finished:
        return set()
    ids = [item.task.id for item in finished]
    # Locked until the transaction ends (PostgreSQL; SQLite holds its write lock): no other
    # process can finish them between this read and the writes.
    pending = set(connection.execute(_STILL_PENDING, {"ids": ids}).scalars())
    recorded = [item for item in finished if item.task.id in pending]
    if not recorded:
        return set()
    connection.execute(
        _FINISH,
        [
            {"task_id": item.task.id, "new_status": item.status, "new_detail": item.detail,
             "now_s": now_s}
            for item in recorded
        ],
    )  # fmt: skip
    connection.execute(
        _RESULT,
        [
            {"query_id": item.task.query_id, "node_id": item.task.node_id,
             "status": item.status, "detail": item.detail,
             "receipt_json": orjson.dumps(item.receipt).decode() if item.receipt else None}
            for item in recorded
        ],
    )  # fmt: skip
    record_checkpoints(connection, [(item.task.node_id, item.receipt) for item in recorded])
    return {item.task.id for item in recorded}


def finish_task(
    connection: Connection,
    task: Task,
    *,
    status: str,
    detail: str | None,
    receipt: dict[str, Any] | None,
    now_s: int,
) -> bool:
    """Record one task's final outcome and receipt; return False when it was final already."""
    return bool(finish_tasks(connection, [Finished(task, status, detail, receipt)], now_s=now_s))


def overdue_tasks(connection: Connection, *, now_s: int, query_id: str | None = None) -> list[Task]:
    """Return pending tasks past their deadline (locked; others' claims skipped)."""
    overdue = and_(task_table.c.status == "pending", task_table.c.deadline_s < now_s)
    if query_id is not None:
        overdue = and_(overdue, task_table.c.query_id == query_id)
    rows = connection.execute(
        select(task_table).where(overdue).limit(1000).with_for_update(skip_locked=True)
    ).all()
    return [Task.from_row(row) for row in rows]


def sweep_needed(connection: Connection, *, now_s: int) -> bool:
    """Return whether a task is overdue or a push task's sender left it (a read, no lock)."""
    overdue = and_(task_table.c.status == "pending", task_table.c.deadline_s < now_s)
    orphaned = _waiting(now_s=now_s, mode="push")
    statement = select(task_table.c.id).where(or_(overdue, orphaned)).limit(1)
    return connection.execute(statement).first() is not None


def overdue_exists(connection: Connection, query_id: str, *, now_s: int) -> bool:
    """Return whether a query has a pending task past its deadline (a read, no lock)."""
    overdue = select(task_table.c.id).where(
        task_table.c.query_id == query_id,
        task_table.c.status == "pending",
        task_table.c.deadline_s < now_s,
    )
    return connection.execute(overdue.limit(1)).first() is not None
