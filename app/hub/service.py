"""The hub's work, shared by the API and ``ketanet query``: fan out, verify, pool, record."""

from __future__ import annotations

import asyncio
import base64
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import httpx
import orjson
from sqlalchemy import Engine, select

from app.catalogue import load_catalogue
from app.config import HubSettings
from app.database import create_store_engine
from app.disclosure import disclosure_problem
from app.errors import NotFound
from app.exchange.query import MeasureQuery, to_parameters
from app.hub.document import PendingQuery, QueryDocument
from app.hub.fanout import fan_out, node_client
from app.hub.migrations import upgrade_hub_schema
from app.hub.overlap import PairReply, measure_pairs
from app.hub.overlap_rows import ALL, PairFigure, measured_overlap_caveat, pair_bound, with_overlap
from app.hub.pooling import CROSS_BORDER_CAVEAT, PooledQuery, pool_answers
from app.hub.replies import NodeReply
from app.hub.requests import query_echo
from app.hub.tables import node_result_table, overlap_round_table, query_table
from app.trust.audit import AuditLog
from app.trust.digest import content_digest
from app.trust.keys import SigningKey, load_signing_key


class HubService:
    """The hub's database, key and node list, and the federated query workflow."""

    def __init__(
        self,
        settings: HubSettings,
        *,
        clock: Callable[[], float] = time.time,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.transport = transport
        self.engine: Engine = create_store_engine(settings.hub.database_url)
        upgrade_hub_schema(self.engine)
        self.audit = AuditLog(self.engine, clock=clock)
        self.key: SigningKey = load_signing_key(settings.hub.signing_key)
        self.client: httpx.AsyncClient | None = None
        """Set by a long-lived event loop (the hub server) to keep node connections alive."""
        self._running: set[asyncio.Task[QueryDocument]] = set()

    async def keep_connections(self) -> None:
        """Open a client whose connections outlive one query; call ``aclose`` before the loop ends."""
        self.client = node_client(
            timeout_s=self.settings.hub.timeout_s,
            nodes=len(self.settings.nodes),
            transport=self.transport,
        )

    async def aclose(self) -> None:
        """Close the kept-alive connections, if any."""
        if self.client is not None:
            await self.client.aclose()
            self.client = None

    def start_query(self, query: MeasureQuery, *, actor: str) -> str:
        """Start ``run_query`` in the background on the running event loop; return the query id."""
        query_id = str(uuid.uuid4())
        task = asyncio.create_task(self.run_query(query, actor=actor, query_id=query_id))
        self._running.add(task)  # a task nobody references may be collected before it ends
        task.add_done_callback(self._running.discard)
        return query_id

    async def run_query(
        self,
        query: MeasureQuery,
        *,
        actor: str,
        on_reply: Callable[[NodeReply], None] | None = None,
        query_id: str | None = None,
    ) -> QueryDocument:
        """Send ``query`` (in normal form) to every node, pool the verified answers, record them.

        Returns the recorded document.
        """
        query_id = query_id or str(uuid.uuid4())
        # Nodes keep privacy budgets per analyst: the name travels signed with the query.
        query = replace(query, requester=actor)
        created = datetime.fromtimestamp(self.clock(), UTC).isoformat().replace("+00:00", "Z")
        echo = query_echo(query)
        with self.engine.begin() as connection:
            connection.execute(
                query_table.insert().values(
                    id=query_id,
                    created_at=created,
                    actor=actor,
                    measure=query.measure,
                    request_json=orjson.dumps(echo).decode(),
                    status="running",
                )
            )
        replies = await fan_out(
            self.settings.nodes,
            query,
            key=self.key,
            timeout_s=self.settings.hub.timeout_s,
            clock=self.clock,
            on_reply=on_reply,
            client=self.client,
            transport=self.transport,
        )
        linked = load_catalogue()[query.measure].linked
        pairs = await self._measure_pairs(query, replies) if linked else []
        pooled = pool_answers(
            PooledQuery(
                query_id=query_id,
                measure=query.measure,
                period_start=query.period_start,
                period_end=query.period_end,
                version=query.version,
                filters=echo["filters"],
                stratify=echo["stratify"],
                parameters=echo["parameters"],
            ),
            replies,
            cross_border=(
                CROSS_BORDER_CAVEAT
                if linked
                else self._double_count_caveat(
                    echo, {reply.country for reply in replies if reply.status == "ok"}
                )
            ),
        )
        if linked:
            pooled = with_overlap(pooled, self._pair_figures(pairs), replaces=CROSS_BORDER_CAVEAT)
        document = QueryDocument(**dict(pooled), created_at=created, asked_by=actor)
        payload = orjson.dumps(document.model_dump())
        ok = sum(1 for reply in replies if reply.status == "ok")
        # The request every node was sent (the same Parameters body, signed per node), kept in each
        # receipt so a third party can check it against the receipt's request digest.
        request_body = base64.b64encode(orjson.dumps(to_parameters(query))).decode("ascii")
        # One executemany for all nodes rather than one INSERT statement per node.
        rows = [
            {
                "query_id": query_id,
                "node_id": reply.node_id,
                "status": reply.status,
                "detail": reply.detail,
                "receipt_json": (
                    orjson.dumps(
                        reply.receipt.to_json() | {"request_body_base64": request_body}
                    ).decode()
                    if reply.receipt
                    else None
                ),
            }
            for reply in replies
        ]
        with self.engine.begin() as connection:
            connection.execute(
                query_table.update()
                .where(query_table.c.id == query_id)
                .values(status="complete" if ok else "failed", document_json=payload.decode())
            )
            if rows:
                connection.execute(node_result_table.insert(), rows)
            rounds = [
                {
                    "query_id": query_id,
                    "pair": pair.pair,
                    "round": record.round,
                    "node_id": record.node_id,
                    "status": record.status,
                    "detail": record.detail,
                    "receipt_json": orjson.dumps(record.receipt).decode()
                    if record.receipt
                    else None,
                }
                for pair in pairs
                for record in pair.rounds
            ]
            if rounds:
                connection.execute(overlap_round_table.insert(), rounds)
        self.audit.append(
            actor=actor,
            action="query",
            target=f"Measure/{query.measure}",
            decision=f"{ok}/{len(replies)} nodes ok",
            request_digest=content_digest(orjson.dumps(echo)),
            response_digest=content_digest(payload),
        )
        return document

    async def _measure_pairs(
        self, query: MeasureQuery, replies: list[NodeReply]
    ) -> list[PairReply]:
        """Relay the overlap exchange between every two nodes that answered the query."""
        answered = {reply.node_id for reply in replies if reply.status == "ok"}
        nodes = [node for node in self.settings.nodes if node.id in answered]
        timeout_s = self.settings.hub.timeout_s
        if self.client is not None:
            return await measure_pairs(
                self.client, nodes, query, key=self.key, timeout_s=timeout_s, clock=self.clock
            )
        async with node_client(
            timeout_s=timeout_s, nodes=len(nodes), transport=self.transport
        ) as client:
            return await measure_pairs(
                client, nodes, query, key=self.key, timeout_s=timeout_s, clock=self.clock
            )

    def _pair_figures(self, pairs: list[PairReply]) -> list[PairFigure]:
        """Return each pair's count as an interval (None for a pair that has no usable count)."""
        countries = {node.id: node.country for node in self.settings.nodes}
        figures = []
        for pair in pairs:
            problem = disclosure_problem(pair.answer) if pair.answer is not None else None
            ok = pair.status == "ok" and pair.answer is not None and problem is None
            figures.append(
                PairFigure(
                    pair=pair.pair,
                    countries=(countries[pair.first], countries[pair.second]),
                    bound=pair_bound(pair.answer) if ok and pair.answer is not None else None,
                    detail=problem or (f"{pair.status}: {pair.detail}" if not ok else None),
                )
            )
        return figures

    def _double_count_caveat(self, echo: dict[str, Any], countries: set[str]) -> str:
        """Return the caveat naming the latest overlap measured for the same period, filters and
        answering countries; the plain double-counting caveat when there is none."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(query_table.c.id, query_table.c.request_json, query_table.c.document_json)
                .where(
                    query_table.c.measure == "cross-border-overlap",
                    query_table.c.status == "complete",
                )
                .order_by(query_table.c.created_at.desc(), query_table.c.id)
            )
            for query_id, request_json, document_json in rows:
                asked = orjson.loads(request_json)
                if (asked["period"], asked["filters"]) != (echo["period"], echo["filters"]):
                    continue
                measured = QueryDocument.model_validate_json(document_json)
                if {node.country for node in measured.nodes if node.status == "ok"} != countries:
                    continue
                pair_rows = [
                    row
                    for row in measured.rows
                    if row.country == ALL and row.population == "overlap"
                ]
                distinct = next(
                    (row for row in measured.rows if row.population == "distinct-patients"), None
                )
                return measured_overlap_caveat(query_id, pair_rows, distinct)
        return CROSS_BORDER_CAVEAT

    def list_queries(self) -> list[dict[str, Any]]:
        """Return past queries, newest first (who asked, when, measure, status)."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(
                    query_table.c.id,
                    query_table.c.created_at,
                    query_table.c.actor,
                    query_table.c.measure,
                    query_table.c.status,
                ).order_by(query_table.c.created_at.desc(), query_table.c.id)
            ).mappings()
            return [
                {
                    "id": row["id"],
                    "created_at": row["created_at"],
                    "asked_by": row["actor"],
                    "measure": row["measure"],
                    "status": row["status"],
                }
                for row in rows
            ]

    def document(self, query_id: str) -> QueryDocument | PendingQuery:
        """Return the recorded document of a query, or its status while running; raises ``NotFound``."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(query_table.c.document_json, query_table.c.status).where(
                    query_table.c.id == query_id
                )
            ).first()
        if row is None:
            raise NotFound(f"query {query_id}: no such query")
        if row.document_json is None:
            return PendingQuery(query_id=query_id, status=row.status)
        return QueryDocument.model_validate_json(row.document_json)

    def finished_document(self, query_id: str) -> QueryDocument:
        """Return the recorded document of a finished query; raises ``NotFound`` until then."""
        document = self.document(query_id)
        if not isinstance(document, QueryDocument):
            raise NotFound(f"query {query_id}: not finished")
        return document

    def receipts(self, query_id: str) -> list[dict[str, Any]]:
        """Return every node's signed response as received, with the request it answers.

        For the cross-border overlap, every round of every pair follows (``pair``, ``round``);
        the blinded sets of the first two rounds are kept as digests only.
        """
        self.document(query_id)
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(node_result_table)
                .where(node_result_table.c.query_id == query_id)
                .order_by(node_result_table.c.id)
            ).mappings()
            found = [
                {
                    "node_id": row["node_id"],
                    "status": row["status"],
                    "detail": row["detail"],
                    "receipt": orjson.loads(row["receipt_json"]) if row["receipt_json"] else None,
                }
                for row in rows
            ]
            rounds = connection.execute(
                select(overlap_round_table)
                .where(overlap_round_table.c.query_id == query_id)
                .order_by(overlap_round_table.c.id)
            ).mappings()
            found += [
                {
                    "node_id": row["node_id"],
                    "pair": row["pair"],
                    "round": row["round"],
                    "status": row["status"],
                    "detail": row["detail"],
                    "receipt": orjson.loads(row["receipt_json"]) if row["receipt_json"] else None,
                }
                for row in rounds
            ]
            return found
