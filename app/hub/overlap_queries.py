"""The cross-border overlap in the task model: its caveat on other queries, and the relay that
finishes an overlap query once every node's task is final.

A linked measure (``cross-border-overlap``) needs, after each node's own answer, the relayed
PSI exchange between every two nodes that answered (``overlap``). The hub calls nodes for it, so
only push nodes take part: a pair with a pull node gets no count (its caveat says so). Any other
query names, in its double-counting caveat, the latest overlap measured for the same period,
filters and countries.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import aiohttp
import orjson
from sqlalchemy import Connection

from app.catalogue import load_catalogue
from app.config import NodeEntry
from app.disclosure import disclosure_problem
from app.exchange.overlap import pair_label
from app.exchange.query import MeasureQuery
from app.hub import query_store
from app.hub.document import QueryDocument
from app.hub.overlap import PairReply, measure_pair, node_pairs
from app.hub.overlap_rows import ALL, PairFigure, measured_overlap_caveat, pair_bound
from app.hub.pooling import CROSS_BORDER_CAVEAT
from app.trust.keys import SigningKey

OVERLAP_MEASURE = "cross-border-overlap"
PULL_PAIR = "a pull node takes no part in the relay (the hub never calls it)"


def is_linked(measure: str) -> bool:
    """Return whether a measure is counted by the overlap relay (a linked measure)."""
    definition = load_catalogue().get(measure)
    return definition is not None and definition.linked


def double_count_caveat(
    connection: Connection, request: Mapping[str, Any], countries: set[str]
) -> str:
    """Return the caveat naming the latest overlap measured for the same period, filters and
    answering countries; the plain double-counting caveat when there is none."""
    for query_id, request_json, document_json in query_store.complete_queries_of(
        connection, OVERLAP_MEASURE
    ):
        asked = orjson.loads(request_json)
        if (asked["period"], asked["filters"]) != (request["period"], request["filters"]):
            continue
        measured = QueryDocument.model_validate_json(document_json)
        if {node.country for node in measured.nodes if node.status == "ok"} != countries:
            continue
        pair_rows = [r for r in measured.rows if r.country == ALL and r.population == "overlap"]
        distinct = next((r for r in measured.rows if r.population == "distinct-patients"), None)
        return measured_overlap_caveat(query_id, pair_rows, distinct)
    return CROSS_BORDER_CAVEAT


async def relay_pairs(
    session: aiohttp.ClientSession,
    nodes: Sequence[NodeEntry],
    query: MeasureQuery,
    *,
    key: SigningKey,
    timeout_s: float,
    clock: Callable[[], float] = time.time,
) -> list[PairReply]:
    """Relay the exchange for every pair of ``nodes`` that are both push nodes; the others get
    a pair outcome without a count."""

    async def one(first: NodeEntry, second: NodeEntry) -> PairReply:
        if "pull" in (first.mode, second.mode):
            label = pair_label(first.country, second.country)
            return PairReply(label, first.id, second.id, "unreachable", PULL_PAIR)
        return await measure_pair(
            session, first, second, query, key=key, timeout_s=timeout_s, clock=clock
        )

    return list(await asyncio.gather(*(one(a, b) for a, b in node_pairs(nodes))))


def pair_figures(nodes: Sequence[NodeEntry], pairs: Sequence[PairReply]) -> list[PairFigure]:
    """Return each pair's count as an interval (None for a pair that has no usable count)."""
    countries = {node.id: node.country for node in nodes}
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


def round_rows(query_id: str, pairs: Sequence[PairReply]) -> list[dict[str, Any]]:
    """Return the ``hub_overlap_round`` rows of a relay: every round of every pair."""
    return [
        {
            "query_id": query_id, "pair": pair.pair, "round": record.round,
            "node_id": record.node_id, "status": record.status, "detail": record.detail,
            "receipt_json": orjson.dumps(record.receipt).decode() if record.receipt else None,
        }
        for pair in pairs
        for record in pair.rounds
    ]  # fmt: skip
