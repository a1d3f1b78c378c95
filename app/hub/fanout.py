"""Signed fan-out of one query to every configured node at once, with verified answers.

Each node gets its own signed request (fresh nonce, its own audience). Transient failures
(connection errors, 502/503/504) are retried with backoff inside the node's time budget; 4xx never
are. A node's outcome is always one of the contract statuses, and one node failing never fails the
query. Answers are verified against the node's pinned keys before they are parsed.
"""

from __future__ import annotations

import asyncio
import functools
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import httpx
import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.config import NodeEntry
from app.errors import InputError, SignatureError
from app.exchange.measure_report import from_measure_report
from app.exchange.query import MeasureQuery, to_parameters
from app.hub.replies import NodeReply, NodeStatus
from app.hub.transport import PerOriginTransport
from app.trust.httpx_auth import SignedRequestAuth, verify_httpx_response
from app.trust.keys import SigningKey, jwk_thumbprint, public_key_from_jwk
from app.web import FHIR_JSON

RETRY_STATUSES = frozenset({502, 503, 504})
MAX_ATTEMPTS = 3
BACKOFF_S = 0.2


@functools.cache
def tls_context() -> ssl.SSLContext:
    """Return the TLS context for node connections, built once (loading CA roots costs ~35 ms)."""
    return ssl.create_default_context()


def _reply(
    node: NodeEntry, status: NodeStatus, detail: str | None = None, **extra: Any
) -> NodeReply:
    return NodeReply(node_id=node.id, country=node.country, status=status, detail=detail, **extra)


def pinned_keys(node: NodeEntry) -> dict[str, Ed25519PublicKey]:
    """Return the node's pinned public keys by key id (RFC 7638 thumbprint); raises ``ConfigError``."""
    return dict(_keys_of(orjson.dumps(node.jwks, option=orjson.OPT_SORT_KEYS)))


@functools.lru_cache(maxsize=256)
def _keys_of(jwks_json: bytes) -> Mapping[str, Ed25519PublicKey]:
    # Keyed by the JWKs' canonical JSON, so an edited configuration is never served stale keys;
    # a bad JWK raises, and errors are not cached.
    return {jwk_thumbprint(jwk): public_key_from_jwk(jwk) for jwk in orjson.loads(jwks_json)}


@functools.lru_cache(maxsize=256)
def _evaluate_url(node_url: str) -> httpx.URL:
    # Parsed once per node rather than once per request (httpx parses a str URL each time).
    return httpx.URL(f"{node_url}/fhir/Measure/$evaluate-measure")


def refusal_detail(response: httpx.Response) -> str:
    """Return a refused answer's reason (its OperationOutcome diagnostics), at most 500 chars."""
    try:
        outcome = response.json()
        return "; ".join(issue.get("diagnostics", "") for issue in outcome.get("issue", []))[:500]
    except (ValueError, AttributeError):
        return f"HTTP {response.status_code}"


async def post_with_retries(
    client: httpx.AsyncClient, url: httpx.URL, body: bytes, auth: httpx.Auth
) -> httpx.Response:
    """POST ``body`` signed by ``auth``, retrying connection errors and 502/503/504 with backoff."""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            response = await client.post(
                url, content=body, headers={"content-type": FHIR_JSON}, auth=auth
            )
        except (httpx.ConnectError, httpx.RemoteProtocolError):
            if attempt == MAX_ATTEMPTS:
                raise
        else:
            if response.status_code not in RETRY_STATUSES or attempt == MAX_ATTEMPTS:
                return response
        await asyncio.sleep(BACKOFF_S * 2 ** (attempt - 1))
    raise AssertionError("unreachable")  # the loop always returns or raises


def _interpret(
    node: NodeEntry,
    response: httpx.Response,
    keys: Mapping[str, Ed25519PublicKey],
    clock: Callable[[], float],
) -> NodeReply:
    """Turn a node's HTTP answer into a verified, parsed ``NodeReply``."""
    if response.status_code in RETRY_STATUSES or response.status_code >= 500:
        return _reply(node, "unreachable", detail=f"HTTP {response.status_code}")
    try:
        receipt = (
            verify_httpx_response(response, keys, now=clock())
            if response.status_code == 200
            else None
        )
    except SignatureError as error:
        return _reply(node, "bad-signature", detail=error.message)
    if response.status_code != 200:
        return _reply(node, "refused", detail=refusal_detail(response))
    try:
        answer = from_measure_report(orjson.loads(response.content))
    except (InputError, orjson.JSONDecodeError) as error:
        return _reply(node, "invalid-report", detail=str(error)[:500], receipt=receipt)
    if answer.country and answer.country != node.country:
        return _reply(
            node,
            "invalid-report",
            detail="report country differs from the node's",
            receipt=receipt,
        )
    return NodeReply(
        node_id=node.id, country=node.country, status="ok", answer=answer, receipt=receipt
    )


async def query_node(
    client: httpx.AsyncClient,
    node: NodeEntry,
    query: MeasureQuery,
    *,
    key: SigningKey,
    timeout_s: float,
    clock: Callable[[], float] = time.time,
) -> NodeReply:
    """Send ``query`` to one node, signed; return its outcome (never raises for node failures)."""
    started = time.perf_counter()
    body = orjson.dumps(to_parameters(query))
    url = _evaluate_url(node.url)
    auth = SignedRequestAuth(key, clock=clock)
    try:
        keys = pinned_keys(node)
        async with asyncio.timeout(timeout_s):  # unlike ``wait_for``, no extra task per node
            response = await post_with_retries(client, url, body, auth)
        reply = _interpret(node, response, keys, clock)
    except (TimeoutError, httpx.TimeoutException):
        reply = _reply(node, "timeout", detail=f"no answer within {timeout_s:g} s")
    except httpx.HTTPError as error:
        reply = _reply(node, "unreachable", detail=type(error).__name__)
    return replace(reply, elapsed_s=time.perf_counter() - started)


def node_client(
    *, timeout_s: float, nodes: int, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """Return an HTTP client for fan-outs; keep it for the life of an event loop (keep-alive).

    Without ``transport`` each node origin gets its own connection pool (``PerOriginTransport``):
    up to ``max(10, 2 * nodes)`` connections per node, all kept alive.
    """
    limits = httpx.Limits(max_connections=max(10, 2 * nodes), max_keepalive_connections=None)
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout_s),
        limits=limits,  # for proxy mounts, as is ``verify``
        transport=(
            transport
            if transport is not None
            else PerOriginTransport(verify=tls_context(), limits=limits)
        ),
        verify=tls_context(),
    )


async def fan_out(
    nodes: list[NodeEntry],
    query: MeasureQuery,
    *,
    key: SigningKey,
    timeout_s: float,
    clock: Callable[[], float] = time.time,
    on_reply: Callable[[NodeReply], None] | None = None,
    client: httpx.AsyncClient | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> list[NodeReply]:
    """Query every node concurrently; return their outcomes in configuration order.

    With ``client`` the connections stay open for the next query; without, a client is made
    and closed for this one query.
    """

    async def one(http: httpx.AsyncClient, node: NodeEntry) -> NodeReply:
        reply = await query_node(http, node, query, key=key, timeout_s=timeout_s, clock=clock)
        if on_reply is not None:
            on_reply(reply)
        return reply

    if client is not None:
        return list(await asyncio.gather(*(one(client, node) for node in nodes)))
    async with node_client(timeout_s=timeout_s, nodes=len(nodes), transport=transport) as own:
        return list(await asyncio.gather(*(one(own, node) for node in nodes)))
