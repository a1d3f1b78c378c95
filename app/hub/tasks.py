"""The task queue: every federated query is one task per node, kept in the hub database until final.

A push task is sent by the hub (``fanout``); a pull task waits until its node fetches it
(``GET /api/tasks``), and the hub signs it then, so its ``created`` is fresh. Either kind may end
with the node's answer (its HTTP response, read by ``node_answers``), may be held by the node's
data steward (``pending`` / ``awaiting-approval``, answered later through
``POST /api/tasks/{id}/result``) or may outlive ``task_ttl_s`` (``timeout``). The document of a
query is served at every moment (``query_documents``); when no task is pending any more the query
is finalised: its document recorded once and its audit entry written once. Everything is in the
hub database, so tasks survive a restart and several hub processes share the queue
(``task_store``, ``query_store``); a task's request is made and signed by ``task_requests``.
Docs: docs/governance.md.
"""

from __future__ import annotations

import asyncio
import base64
import math
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import orjson
from sqlalchemy import Connection, Engine

from app.config import HubSettings, NodeEntry
from app.errors import Conflict, NotFound, PolicyRefusal, Unavailable
from app.exchange.query import MeasureQuery, to_parameters
from app.exchange.tasks import ResultUpload
from app.hub import query_store, task_store
from app.hub.change_signal import ChangeSignal, wait_for_event
from app.hub.document import QueryDocument
from app.hub.node_answers import SentRequest, reply_from_answer
from app.hub.node_trust import pinned_keys
from app.hub.overlap import PairReply
from app.hub.overlap_queries import double_count_caveat, is_linked, round_rows
from app.hub.overlap_rows import PairFigure, with_overlap
from app.hub.pooling import CROSS_BORDER_CAVEAT
from app.hub.query_documents import query_document, reply_of
from app.hub.replies import NodeReply
from app.hub.requests import query_echo
from app.hub.task_requests import iso_utc, new_task, sign_task, task_document, task_row
from app.hub.task_store import APPROVAL, Task, write_transaction
from app.trust.audit import AuditLog
from app.trust.digest import content_digest
from app.trust.keys import SigningKey
from app.trust.profile import MAX_LIFETIME_S

LEASE_MARGIN_S = 30
PULL_LEASE_S = MAX_LIFETIME_S + LEASE_MARGIN_S
"""A fetched task is not handed out again before its signature has expired (plus a margin)."""
POLL_INTERVAL_S = 0.5
"""How often a waiting fetch looks for tasks another hub process made."""
MAX_FETCH_WAIT_S = 60.0


class TaskQueue:
    """The hub's tasks: made per query, leased to senders and fetchers, answered once."""

    def __init__(
        self,
        engine: Engine,
        settings: HubSettings,
        *,
        key: SigningKey,
        audit: AuditLog,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.key = key
        self.audit = audit
        self.clock = clock
        self.nodes = {node.id: node for node in settings.nodes}
        self.signal = ChangeSignal()
        self.push_lease_s = math.ceil(settings.hub.timeout_s) + LEASE_MARGIN_S

    # -- making tasks ---------------------------------------------------------------------

    def create(self, query: MeasureQuery, *, actor: str, query_id: str) -> list[Task]:
        """Record a query and one task per configured node; the push tasks leased to the caller."""
        now = self.clock()
        now_s = int(now)
        body = orjson.dumps(to_parameters(query))
        deadline_s = now_s + self.settings.hub.task_ttl_s
        tasks = [
            new_task(node, position, query_id=query_id, body=body, now_s=now_s,
                      deadline_s=deadline_s, push_lease_s=self.push_lease_s)
            for position, node in enumerate(self.settings.nodes)
        ]  # fmt: skip
        with write_transaction(self.engine) as connection:
            query_store.insert_query(
                connection,
                query_id=query_id,
                created_at=iso_utc(now),
                actor=actor,
                measure=query.measure,
                request=query_echo(query) | {"version": query.version},
            )
            task_store.insert_tasks(connection, [task_row(task) for task in tasks])
        self.signal.notify()
        return tasks

    def node(self, node_id: str) -> NodeEntry | None:
        """Return the configured node ``node_id``, or None."""
        return self.nodes.get(node_id)

    # -- recording answers ----------------------------------------------------------------

    def record(self, query_id: str, answered: Sequence[tuple[Task, NodeReply]]) -> QueryDocument:
        """Record the replies of a query's tasks (one transaction); return the document now."""
        known = {reply.node_id: reply for _task, reply in answered if reply.status == "ok"}
        finalised = None
        with write_transaction(self.engine) as connection:
            row = query_store.lock_query(connection, query_id)
            if row is None:
                raise NotFound(f"query {query_id}: no such query")
            now_s = int(self.clock())
            final = [_finished(task, reply) for task, reply in answered if reply.final]
            task_store.finish_tasks(connection, final, now_s=now_s)
            for task, reply in answered:
                if not reply.final:
                    _hold(connection, task, reply)
            document, finalised = self._settle(connection, row, known)
        self._after(row, finalised)
        return document

    def accept(self, node_id: str, task_id: str, upload: ResultUpload) -> NodeReply:
        """Accept a node's answer to one of its tasks; return how it was read.

        Raises ``NotFound`` (no such task), ``PolicyRefusal`` (another node's task),
        ``Conflict`` (a task that has its result already, or whose lifetime has ended) and
        ``Unavailable`` (a push task whose sending is not recorded yet: deliver again).
        """
        node = self.nodes.get(node_id)
        expired, finalised = False, None
        with write_transaction(self.engine) as connection:
            task = task_store.task_of(connection, task_id)
            if task is None or node is None:
                raise NotFound(f"task {task_id}: no such task")
            if task.node_id != node_id:
                raise PolicyRefusal(f"task {task_id} is not a task of node {node_id}")
            row = query_store.lock_query(connection, task.query_id)
            task = task_store.task_of(connection, task_id, lock=True)
            if row is None or task is None:
                raise NotFound(f"task {task_id}: no such task")
            if task.status == "timeout":
                raise Conflict(self._expired(task_id))
            if task.status != "pending":
                raise Conflict(f"task {task_id} has its result already ({task.status})")
            now = self.clock()
            if task.deadline_s < int(now):
                expired = True
                _expire(connection, task, self.settings.hub.task_ttl_s, int(now))
                reply = NodeReply(node.id, node.country, "timeout", detail="task expired")
            elif task.request_headers is None and task.mode == "push":
                # The hub is still sending this query (its replies are recorded together): a
                # steward quicker than the slowest push node tries again.
                raise Unavailable(f"task {task_id} is being sent; deliver again shortly")
            elif task.request_headers is None:
                raise Conflict(f"task {task_id} was not handed out yet; fetch it first")
            else:
                reply = reply_from_answer(
                    node,
                    SentRequest(task.method, task.url, task.request_headers, task.body),
                    status=upload.status,
                    headers=upload.headers,
                    body=upload.body,
                    keys=pinned_keys(node),
                    # The upload's own signature is fresh (nonce kept); the answer inside may
                    # have been signed when a steward approved it, before a late delivery.
                    now=None,
                )
                if reply.final:
                    task_store.finish_tasks(connection, [_finished(task, reply)], now_s=int(now))
                else:
                    _hold(connection, task, reply)
            known = {node.id: reply} if reply.status == "ok" else {}
            _document, finalised = self._settle(connection, row, known)
        self._after(row, finalised)
        if expired:
            raise Conflict(self._expired(task_id))
        return reply

    def _expired(self, task_id: str) -> str:
        return f"task {task_id} expired (task_ttl_s {self.settings.hub.task_ttl_s} s): too late"

    # -- pull nodes -----------------------------------------------------------------------

    def claim_for_node(self, node_id: str) -> list[dict[str, Any]]:
        """Lease a pull node's waiting tasks and return them, each signed now."""
        now = self.clock()
        with self.engine.connect() as connection:
            if not task_store.has_waiting(connection, now_s=int(now), mode="pull", node_id=node_id):
                return []
        with write_transaction(self.engine) as connection:
            tasks = task_store.claim_tasks(
                connection, now_s=int(now), lease_s=PULL_LEASE_S, mode="pull", node_id=node_id
            )
            fetched = []
            for task in tasks:
                headers = sign_task(task, self.key, now)
                task_store.set_request_headers(connection, task.id, headers)
                fetched.append(task_document(task, headers))
        return fetched

    async def fetch(
        self,
        node_id: str,
        wait_s: float,
        *,
        gone: Callable[[], Awaitable[bool]] | None = None,
    ) -> list[dict[str, Any]]:
        """Return a pull node's waiting tasks, waiting up to ``wait_s`` for one to appear.

        ``gone`` says whether the node has hung up: a long-poll nobody waits for any more must
        not lease a task (it would sit leased, unanswered, until its lease ends).
        """
        deadline = time.monotonic() + min(max(0.0, wait_s), MAX_FETCH_WAIT_S)
        while True:
            with self.signal.listening() as changed:
                if gone is not None and await gone():
                    return []
                tasks = await asyncio.to_thread(self.claim_for_node, node_id)
                remaining = deadline - time.monotonic()
                if tasks or remaining <= 0:
                    return tasks
                await wait_for_event(changed, min(POLL_INTERVAL_S, remaining))

    # -- reading and settling -------------------------------------------------------------

    def document(self, query_id: str) -> QueryDocument:
        """Return a query's document as it stands; raises ``NotFound`` for an unknown id."""
        with self.engine.connect() as connection:
            row = query_store.query_row(connection, query_id)
            if row is None:
                raise NotFound(f"query {query_id}: no such query")
            if row["document_json"] is not None:
                return QueryDocument.model_validate_json(row["document_json"])
            # Only a read while nodes are pending and no deadline passed: readers (dashboards,
            # --wait) must not queue for the write lock that fetches and results take.
            if not task_store.overdue_exists(connection, query_id, now_s=int(self.clock())):
                replies = [reply_of(o) for o in query_store.outcomes_of(connection, query_id)]
                document = self._current(connection, row, replies)
                if document.status == "running" and not self._relay_due(row, document):
                    return document
        with write_transaction(self.engine) as connection:
            row = query_store.lock_query(connection, query_id)
            if row is None:
                raise NotFound(f"query {query_id}: no such query")
            document, finalised = self._settle(connection, row, {})
        self._after(row, finalised)
        return document

    async def wait_final(
        self,
        query_id: str,
        wait_s: float,
        *,
        on_document: Callable[[QueryDocument], None] | None = None,
    ) -> QueryDocument:
        """Return the document once the query is final or ``wait_s`` has passed."""
        deadline = time.monotonic() + max(0.0, wait_s)
        while True:
            with self.signal.listening() as changed:
                document = await asyncio.to_thread(self.document, query_id)
                if on_document is not None:
                    on_document(document)
                remaining = deadline - time.monotonic()
                if document.status != "running" or remaining <= 0:
                    return document
                await wait_for_event(changed, min(POLL_INTERVAL_S, remaining))

    def sweep(self) -> list[Task]:
        """Time out overdue tasks, finalise settled queries; return orphaned push tasks, leased.

        Orphans are push tasks whose sender's lease ran out (a hub process or ``ketanet query``
        that stopped mid-query): the caller sends them.
        """
        now_s = int(self.clock())
        touched: set[str] = set()
        orphans: list[Task] = []
        with self.engine.connect() as connection:
            due = task_store.sweep_needed(connection, now_s=now_s)
        if due:  # the write lock only when there is something to write
            with write_transaction(self.engine) as connection:
                for task in task_store.overdue_tasks(connection, now_s=now_s):
                    _expire(connection, task, self.settings.hub.task_ttl_s, now_s)
                    touched.add(task.query_id)
                orphans = task_store.claim_tasks(
                    connection, now_s=now_s, lease_s=self.push_lease_s, mode="push"
                )
        with self.engine.connect() as connection:
            touched.update(id_ for id_, _measure in query_store.settled_running(connection))
        for query_id in touched:
            self.document(query_id)
        if touched:
            self.signal.notify()
        return orphans

    def _settle(
        self, connection: Connection, row: dict[str, Any], known: Mapping[str, NodeReply]
    ) -> tuple[QueryDocument, QueryDocument | None]:
        """Return the document (expiring overdue tasks first) and, when it just became final,
        the document recorded."""
        if row["document_json"] is not None:
            return QueryDocument.model_validate_json(row["document_json"]), None
        now_s = int(self.clock())
        for task in task_store.overdue_tasks(connection, now_s=now_s, query_id=row["id"]):
            _expire(connection, task, self.settings.hub.task_ttl_s, now_s)
        replies = [
            known[o.node_id] if o.status == "ok" and o.node_id in known else reply_of(o)
            for o in query_store.outcomes_of(connection, row["id"])
        ]
        document = self._current(connection, row, replies)
        if document.status == "running" or self._relay_due(row, document):
            return document, None
        query_store.finalise_query(
            connection, row["id"], status=document.status, document=document.model_dump()
        )
        return document, document

    def _current(
        self, connection: Connection, row: dict[str, Any], replies: Sequence[NodeReply]
    ) -> QueryDocument:
        """Return the document of ``replies``; an overlap query waiting for its relay is
        ``running`` even when no node is pending."""
        request = orjson.loads(row["request_json"])
        if is_linked(row["measure"]):
            document = query_document(row, replies, cross_border=CROSS_BORDER_CAVEAT)
            return document.model_copy(update={"status": "running"})
        countries = {reply.country for reply in replies if reply.status == "ok"}
        caveat = double_count_caveat(connection, request, countries)
        return query_document(row, replies, cross_border=caveat)

    @staticmethod
    def _relay_due(row: dict[str, Any], document: QueryDocument) -> bool:
        """Return whether an overlap query has every node's answer and waits for its relay."""
        pending = any(node.status == "pending" for node in document.nodes)
        return is_linked(row["measure"]) and not pending

    def awaiting_relay(self) -> list[str]:
        """Return the overlap queries whose nodes have all answered, waiting for their relay."""
        with self.engine.connect() as connection:
            return [
                query_id
                for query_id, measure in query_store.settled_running(connection)
                if is_linked(measure)
            ]

    def finish_overlap(
        self, query_id: str, pairs: Sequence[PairReply], figures: Sequence[PairFigure]
    ) -> QueryDocument:
        """Record an overlap query's relay (its rounds) and finalise it with the pair rows."""
        finalised = None
        with write_transaction(self.engine) as connection:
            row = query_store.lock_query(connection, query_id)
            if row is None:
                raise NotFound(f"query {query_id}: no such query")
            if row["document_json"] is not None:  # another process finished it first
                return QueryDocument.model_validate_json(row["document_json"])
            replies = [reply_of(o) for o in query_store.outcomes_of(connection, query_id)]
            document = query_document(row, replies, cross_border=CROSS_BORDER_CAVEAT)
            if document.status == "running":
                return document
            # ``with_overlap`` copies the document it is given, so it stays a ``QueryDocument``
            document = QueryDocument.model_validate(
                with_overlap(document, figures, replaces=CROSS_BORDER_CAVEAT).model_dump()
            )
            query_store.insert_rounds(connection, round_rows(query_id, pairs))
            query_store.finalise_query(
                connection, query_id, status=document.status, document=document.model_dump()
            )
            finalised = document
        self._after(row, finalised)
        return document

    def _after(self, row: dict[str, Any], finalised: QueryDocument | None) -> None:
        """Wake waiters; audit a query that just became final (once, after its commit)."""
        self.signal.notify()
        if finalised is None:
            return
        ok = sum(1 for node in finalised.nodes if node.status == "ok")
        self.audit.append(
            actor=row["actor"],
            action="query",
            target=f"Measure/{row['measure']}",
            decision=f"{ok}/{len(finalised.nodes)} nodes ok",
            request_digest=content_digest(row["request_json"].encode()),
            response_digest=content_digest(orjson.dumps(finalised.model_dump())),
        )


def _finished(task: Task, reply: NodeReply) -> task_store.Finished:
    """Return a final reply as recorded: with its receipt and the exact request body."""
    document = None
    if reply.receipt is not None:
        body = base64.b64encode(task.body).decode("ascii")
        document = reply.receipt.to_json() | {"request_body_base64": body}
    return task_store.Finished(task, reply.status, reply.detail, document)


def _hold(connection: Connection, task: Task, reply: NodeReply) -> bool:
    """Record that the node's steward holds a task (the request it binds to, the approval id)."""
    receipt = reply.receipt
    headers = dict(receipt.request_headers) if receipt is not None else {}
    return task_store.hold_task(
        connection, task.id, request_headers=headers, approval_ref=reply.approval_ref
    )


def _expire(connection: Connection, task: Task, ttl_s: int, now_s: int) -> None:
    waited = "approval" if task.stage == APPROVAL else "answer"
    task_store.finish_task(
        connection, task, status="timeout",
        detail=f"no {waited} within task_ttl_s ({ttl_s} s)", receipt=None, now_s=now_s,
    )  # fmt: skip
