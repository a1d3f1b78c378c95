"""The hub's relay of the cross-border overlap: three signed rounds for every pair of nodes.

For each pair (first node = the one whose country comes first), the hub asks the first node for
its blinded set (``$overlap-blind``), gives it to the second node and receives the re-blinded set
and the second node's own (``$overlap-reblind``), and gives both to the first node, which answers
with its disclosure-controlled count (``$overlap-count``). Every request is signed by the hub and
every response verified against the answering node's pinned keys. The hub checks the sets' shape
(``app.linkage.wire``) and can do nothing else with them: it holds no linkage secret and no
blinding key. It keeps each round's receipt, with the blinded sets reduced to their digests.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import orjson

from app.config import NodeEntry
from app.errors import InputError, SignatureError
from app.exchange.answer import MeasureAnswer
from app.exchange.measure_report import from_measure_report
from app.exchange.outcomes import outcome_text
from app.exchange.overlap import (
    BlindedAnswer,
    OverlapRequest,
    pair_label,
    parse_blinded_answer,
    to_overlap_parameters,
)
from app.exchange.query import MeasureQuery
from app.hub.node_trust import pinned_keys
from app.hub.replies import NodeStatus
from app.hub.transport import NodeResponse, post_signed
from app.trust.digest import content_digest
from app.trust.keys import SigningKey
from app.trust.signatures import verify_response

ROUNDS = ("blind", "reblind", "count")


@dataclass(frozen=True)
class RoundRecord:
    """One round as the hub keeps it: who answered, how, and the receipt (sets as digests)."""

    round: str
    node_id: str
    status: NodeStatus
    detail: str | None = None
    receipt: dict[str, Any] | None = None
    bytes_sent: int = 0
    bytes_received: int = 0


@dataclass(frozen=True)
class PairReply:
    """The outcome of one pair: its label, nodes, status, the first node's answer, the rounds."""

    pair: str
    first: str
    second: str
    status: NodeStatus
    detail: str | None = None
    answer: MeasureAnswer | None = None
    rounds: list[RoundRecord] = field(default_factory=list)
    elapsed_s: float = 0.0


class _RoundFailed(Exception):
    def __init__(self, record: RoundRecord) -> None:
        super().__init__(record.detail)
        self.record = record


def node_pairs(nodes: Sequence[NodeEntry]) -> list[tuple[NodeEntry, NodeEntry]]:
    """Return every pair of nodes as (first, second): first by country, then by node id."""
    ordered = sorted(nodes, key=lambda node: (node.country, node.id))
    return list(itertools.combinations(ordered, 2))


async def measure_pairs(
    session: aiohttp.ClientSession,
    nodes: Sequence[NodeEntry],
    query: MeasureQuery,
    *,
    key: SigningKey,
    timeout_s: float,
    clock: Callable[[], float] = time.time,
) -> list[PairReply]:
    """Relay the exchange for every pair of ``nodes`` concurrently; return the pairs' outcomes."""
    pairs = node_pairs(nodes)
    return list(
        await asyncio.gather(
            *(
                measure_pair(
                    session, first, second, query, key=key, timeout_s=timeout_s, clock=clock
                )
                for first, second in pairs
            )
        )
    )


async def measure_pair(
    session: aiohttp.ClientSession,
    first: NodeEntry,
    second: NodeEntry,
    query: MeasureQuery,
    *,
    key: SigningKey,
    timeout_s: float,
    clock: Callable[[], float] = time.time,
) -> PairReply:
    """Relay the three rounds between ``first`` and ``second``; never raises for node failures."""
    started = time.perf_counter()
    label = pair_label(first.country, second.country)
    rounds: list[RoundRecord] = []
    reply = PairReply(label, first.id, second.id, "ok")
    try:
        async with asyncio.timeout(timeout_s):
            request = OverlapRequest(pair=label, partner=second.id)
            blinded, record = await _round(session, first, "blind", query, request, key, clock)
            rounds.append(record)
            request = OverlapRequest(pair=label, partner=first.id, elements=blinded.elements)
            answered, record = await _round(session, second, "reblind", query, request, key, clock)
            rounds.append(record)
            if answered.reblinded is None or len(answered.reblinded) != len(blinded.elements):
                raise _RoundFailed(
                    RoundRecord(
                        "reblind",
                        second.id,
                        "invalid-report",
                        "the re-blinded set is not the size of the set sent",
                    )
                )
            request = OverlapRequest(
                pair=label,
                partner=second.id,
                round_id=blinded.round_id,
                elements=answered.elements,
                reblinded=answered.reblinded,
            )
            answer, record = await _count_round(session, first, query, request, key, clock)
            rounds.append(record)
            reply = PairReply(label, first.id, second.id, "ok", answer=answer)
    except _RoundFailed as failure:
        rounds.append(failure.record)
        detail = f"{failure.record.round} at {failure.record.node_id}: {failure.record.detail}"
        reply = PairReply(label, first.id, second.id, failure.record.status, detail[:500])
    except TimeoutError:  # aiohttp's time-outs are TimeoutErrors too
        reply = PairReply(label, first.id, second.id, "timeout", f"no count within {timeout_s:g} s")
    return PairReply(
        reply.pair,
        reply.first,
        reply.second,
        reply.status,
        reply.detail,
        reply.answer,
        rounds,
        time.perf_counter() - started,
    )


async def _exchange(
    session: aiohttp.ClientSession,
    node: NodeEntry,
    name: str,
    query: MeasureQuery,
    request: OverlapRequest,
    key: SigningKey,
    clock: Callable[[], float],
) -> tuple[NodeResponse, dict[str, Any], int]:
    """Send one round's request; return the verified response, its receipt and bytes sent."""
    body = orjson.dumps(to_overlap_parameters(query, request))
    url = f"{node.url}/fhir/Measure/$overlap-{name}"
    try:
        response = await post_signed(session, url, body, key=key, clock=clock)
    except TimeoutError:  # before ClientError: aiohttp's time-outs are both
        raise
    except aiohttp.ClientError as error:
        raise _RoundFailed(
            RoundRecord(name, node.id, "unreachable", type(error).__name__)
        ) from None
    if response.status >= 500:
        raise _RoundFailed(
            RoundRecord(
                name,
                node.id,
                "unreachable",
                f"HTTP {response.status}",
                None,
                len(body),
                len(response.body),
            )
        )
    if response.status != 200:
        raise _RoundFailed(
            RoundRecord(
                name,
                node.id,
                "refused",
                outcome_text(response.body, response.status),
                None,
                len(body),
                len(response.body),
            )
        )
    try:
        sent = response.request
        receipt = verify_response(
            request_method=sent.method,
            request_url=sent.url,
            request_headers=sent.headers,
            request_body=sent.body,
            status=response.status,
            response_headers=response.headers,
            response_body=response.body,
            keys=pinned_keys(node),
            now=clock(),
        )
    except SignatureError as error:
        raise _RoundFailed(RoundRecord(name, node.id, "bad-signature", error.message)) from None
    document = receipt.to_json()
    if name != "count":
        # The blinded sets are of no use to anyone later: keep their digest, not the sets.
        document["response"]["body_base64"] = None
        document["response"]["body_digest"] = content_digest(response.body)
    return response, document, len(body)


async def _round(
    session: aiohttp.ClientSession,
    node: NodeEntry,
    name: str,
    query: MeasureQuery,
    request: OverlapRequest,
    key: SigningKey,
    clock: Callable[[], float],
) -> tuple[BlindedAnswer, RoundRecord]:
    response, receipt, sent = await _exchange(session, node, name, query, request, key, clock)
    try:
        answer = parse_blinded_answer(orjson.loads(response.body))
    except (InputError, orjson.JSONDecodeError) as error:
        raise _RoundFailed(
            RoundRecord(
                name,
                node.id,
                "invalid-report",
                str(error)[:500],
                receipt,
                sent,
                len(response.body),
            )
        ) from None
    if (name == "blind") != (answer.round_id is not None):
        raise _RoundFailed(
            RoundRecord(
                name,
                node.id,
                "invalid-report",
                "round id missing or unexpected",
                receipt,
                sent,
                len(response.body),
            )
        )
    return answer, RoundRecord(name, node.id, "ok", None, receipt, sent, len(response.body))


async def _count_round(
    session: aiohttp.ClientSession,
    node: NodeEntry,
    query: MeasureQuery,
    request: OverlapRequest,
    key: SigningKey,
    clock: Callable[[], float],
) -> tuple[MeasureAnswer, RoundRecord]:
    response, receipt, sent = await _exchange(session, node, "count", query, request, key, clock)
    received = len(response.body)
    try:
        answer = from_measure_report(orjson.loads(response.body))
        result = answer.population("overlap")
    except (InputError, KeyError, orjson.JSONDecodeError) as error:
        raise _RoundFailed(
            RoundRecord(
                "count", node.id, "invalid-report", str(error)[:500], receipt, sent, received
            )
        ) from None
    if answer.country != node.country or result.strata.get("pair", {}).keys() != {request.pair}:
        raise _RoundFailed(
            RoundRecord(
                "count",
                node.id,
                "invalid-report",
                "the count is for another country or pair",
                receipt,
                sent,
                received,
            )
        )
    return answer, RoundRecord("count", node.id, "ok", None, receipt, sent, received)
