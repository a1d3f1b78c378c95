"""The hub's work, shared by the API and ``ketanet query``: make tasks, send, wait, pool, record.

``run_query`` records the query with one task per node (``tasks``), sends the push tasks at once
(``fanout``), records their replies, and waits (up to ``wait_s``) for the rest: pull nodes
fetching their tasks and stewards' answers arriving through the hub's task endpoints. A running
hub server also ``sweep``s: tasks past ``task_ttl_s`` turn into ``timeout``, push tasks a stopped
process left behind are sent again, settled queries are finalised.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import replace
from typing import Any

import aiohttp
import orjson
from sqlalchemy import Engine

from app.config import HubSettings
from app.database import check_database, create_store_engine
from app.errors import BudgetExhausted, NotFound
from app.exchange.query import MeasureQuery
from app.hub import query_store
from app.hub.document import QueryDocument
from app.hub.fanout import PushTask, fan_out
from app.hub.migrations import upgrade_hub_schema
from app.hub.overlap_queries import is_linked, pair_figures, relay_pairs
from app.hub.replies import NodeReply
from app.hub.requests import query_from_request
from app.hub.task_store import Task
from app.hub.tasks import TaskQueue
from app.hub.transport import node_session
from app.trust.audit import AuditLog
from app.trust.keys import SigningKey, load_signing_key

SWEEP_INTERVAL_S = 1.0
log = logging.getLogger("ketanet.hub")


class HubService:
    """The hub's database, key, node list and task queue, and the federated query workflow."""

    def __init__(
        self,
        settings: HubSettings,
        *,
        clock: Callable[[], float] = time.time,
        trace_configs: Sequence[aiohttp.TraceConfig] = (),
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.trace_configs = tuple(trace_configs)
        """aiohttp hooks on every node call (a bench counts the bytes exchanged with them)."""
        self.engine: Engine = create_store_engine(settings.hub.database_url)
        check_database(self.engine, "hub database")
        upgrade_hub_schema(self.engine)
        self.audit = AuditLog(self.engine, clock=clock)
        self.key: SigningKey = load_signing_key(settings.hub.signing_key)
        self.tasks = TaskQueue(self.engine, settings, key=self.key, audit=self.audit, clock=clock)
        self.session: aiohttp.ClientSession | None = None
        """Set by a long-lived event loop (the hub server) to keep node connections alive."""
        self._running: set[asyncio.Task[Any]] = set()
        self._sending: defaultdict[str, int] = defaultdict(int)
        """Per analyst: queries of ``start_query`` whose push tasks are still being sent."""

    async def keep_connections(self) -> None:
        """Open a session whose connections outlive one query; call ``aclose`` before the loop ends."""
        self.session = self._node_session(len(self.settings.nodes))

    def _node_session(self, nodes: int) -> aiohttp.ClientSession:
        return node_session(
            timeout_s=self.settings.hub.timeout_s, nodes=nodes, trace_configs=self.trace_configs
        )

    @contextlib.asynccontextmanager
    async def _node_calls(self, nodes: int) -> AsyncIterator[aiohttp.ClientSession]:
        """Yield the kept-alive session, or a session of its own for one fan-out or relay."""
        if self.session is not None:
            yield self.session
            return
        async with self._node_session(nodes) as session:
            yield session

    async def aclose(self) -> None:
        """Close the kept-alive connections, if any."""
        if self.session is not None:
            await self.session.close()
            self.session = None

    def start_query(self, query: MeasureQuery, *, actor: str) -> str:
        """Record ``query`` with its tasks, send the push tasks in the background; return its id.

        Raises ``BudgetExhausted`` (429) when ``actor`` has ``max_running_queries_per_analyst``
        queries being sent by this process already.
        """
        limit = self.settings.hub.max_running_queries_per_analyst
        if self._sending[actor] >= limit:
            raise BudgetExhausted(
                f"{limit} queries of yours are still being sent "
                "(hub.max_running_queries_per_analyst): wait for one to finish",
                retry_after_s=max(1, int(self.settings.hub.timeout_s)),
            )
        query_id = str(uuid.uuid4())
        tasks = self.tasks.create(query, actor=actor, query_id=query_id)
        self._sending[actor] += 1
        self._background(self._send_for(actor, [task for task in tasks if task.mode == "push"]))
        return query_id

    async def _send_for(self, actor: str, tasks: Sequence[Task]) -> None:
        try:
            await self._send(tasks)
        finally:
            self._sending[actor] -= 1

    async def run_query(
        self,
        query: MeasureQuery,
        *,
        actor: str,
        on_reply: Callable[[NodeReply], None] | None = None,
        query_id: str | None = None,
        wait_s: float = 0.0,
        on_document: Callable[[QueryDocument], None] | None = None,
    ) -> QueryDocument:
        """Ask every node ``query`` (in normal form); return the document after up to ``wait_s``.

        The push nodes are asked at once (each within ``timeout_s``); ``wait_s`` is how long to
        wait for the rest after that (pull nodes, stewards). The query stays recorded as it is,
        and goes on when the hub server runs.
        """
        started = time.monotonic()
        query_id = query_id or str(uuid.uuid4())
        # Nodes keep privacy budgets per analyst: the name travels signed with the query.
        query = replace(query, requester=actor)
        tasks = self.tasks.create(query, actor=actor, query_id=query_id)
        documents = await self._send([t for t in tasks if t.mode == "push"], on_reply=on_reply)
        document = documents.get(query_id) or self.tasks.document(query_id)
        if is_linked(query.measure) and query_id in self.tasks.awaiting_relay():
            document = await self._relay(query_id)  # no push node: the pull nodes answered
        remaining = wait_s - (time.monotonic() - started)
        if document.status == "running" and remaining > 0:
            document = await self.tasks.wait_final(query_id, remaining, on_document=on_document)
        return document

    async def _send(
        self, tasks: Sequence[Task], *, on_reply: Callable[[NodeReply], None] | None = None
    ) -> dict[str, QueryDocument]:
        """Send push tasks (leased to this process), record the replies; return each query's document."""
        if not tasks:
            return {}
        sendable = [task for task in tasks if task.node_id in self.tasks.nodes]
        async with self._node_calls(len(sendable)) as session:
            replies = await fan_out(
                session,
                [PushTask(self.tasks.nodes[t.node_id], t.url, t.body) for t in sendable],
                key=self.key,
                timeout_s=self.settings.hub.timeout_s,
                clock=self.clock,
                on_reply=on_reply,
            )
        by_query: dict[str, list[tuple[Task, NodeReply]]] = defaultdict(list)
        for task, reply in zip(sendable, replies, strict=True):
            by_query[task.query_id].append((task, reply))
        for task in tasks:
            if task.node_id not in self.tasks.nodes:
                gone = NodeReply(
                    task.node_id, task.country, "unreachable", detail="not in hub.toml"
                )
                by_query[task.query_id].append((task, gone))
        documents = {
            query_id: self.tasks.record(query_id, pairs) for query_id, pairs in by_query.items()
        }
        if any(is_linked(document.measure) for document in documents.values()):
            waiting = set(await asyncio.to_thread(self.tasks.awaiting_relay)) & set(documents)
            for query_id in waiting:  # an overlap query whose nodes have all answered
                documents[query_id] = await self._relay(query_id)
        return documents

    async def sweep(self) -> int:
        """Time out overdue tasks, finalise settled queries, send orphaned push tasks, relay
        the overlap of overlap queries whose nodes have all answered; return how many push
        tasks were sent."""
        orphans = await asyncio.to_thread(self.tasks.sweep)
        if orphans:
            await self._send(orphans)
        for query_id in await asyncio.to_thread(self.tasks.awaiting_relay):
            await self._relay(query_id)
        return len(orphans)

    async def _relay(self, query_id: str) -> QueryDocument:
        """Relay the overlap between the push nodes that answered an overlap query; finalise it."""
        with self.engine.connect() as connection:
            row = query_store.query_row(connection, query_id)
        if row is None:
            raise NotFound(f"query {query_id}: no such query")
        query = query_from_request(orjson.loads(row["request_json"]))
        document = self.tasks.document(query_id)
        answered = {node.id for node in document.nodes if node.status == "ok"}
        nodes = [node for node in self.settings.nodes if node.id in answered]
        timeout_s = self.settings.hub.timeout_s
        async with self._node_calls(len(nodes)) as session:
            pairs = await relay_pairs(
                session, nodes, query, key=self.key, timeout_s=timeout_s, clock=self.clock
            )
        return self.tasks.finish_overlap(query_id, pairs, pair_figures(self.settings.nodes, pairs))

    async def sweep_forever(self, interval_s: float = SWEEP_INTERVAL_S) -> None:
        """Sweep the task queue every ``interval_s`` until cancelled (the hub server's loop)."""
        while True:
            try:
                await self.sweep()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the sweeper must outlive a database hiccup
                log.warning("task sweep failed: %s", type(error).__name__)
            await asyncio.sleep(interval_s)

    def _background(self, work: Any) -> None:
        task = asyncio.create_task(work)
        self._running.add(task)  # a task nobody references may be collected before it ends
        task.add_done_callback(self._running.discard)

    def list_queries(self) -> list[dict[str, Any]]:
        """Return past queries, newest first (who asked, when, measure, status)."""
        with self.engine.connect() as connection:
            return query_store.list_queries(connection)

    def document(self, query_id: str) -> QueryDocument:
        """Return a query's document as it stands now; raises ``NotFound`` for an unknown id."""
        return self.tasks.document(query_id)

    def receipts(self, query_id: str) -> list[dict[str, Any]]:
        """Return every node's signed response as received, with the request it answers.

        For the cross-border overlap, every round of every pair follows (``pair``, ``round``);
        the blinded sets of the first two rounds are kept as digests only.
        """
        self.document(query_id)
        with self.engine.connect() as connection:
            found = query_store.receipts_of(connection, query_id)
            return found + query_store.rounds_of(connection, query_id)
