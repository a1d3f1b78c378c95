"""Signed fan-out of a query's push tasks to their nodes at once, with verified answers.

Each node gets its own signed request (fresh nonce, its own audience, the task's target URI).
Transient failures (connection errors, 502/503/504) are retried with backoff inside the node's
time budget; 4xx never are. A node's outcome is always one of the contract statuses, and one node failing never fails the
query. Answers are verified against the node's pinned keys before they are parsed
(``node_answers``, the same reading as for pull nodes).
"""

from __future__ import annotations

import asyncio
import functools
import ssl
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

import httpx
import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.config import NodeEntry
from app.exchange.outcomes import outcome_text
from app.hub.node_answers import SentRequest, reply_from_answer
from app.hub.node_urls import node_url_problem
from app.hub.replies import NodeReply
from app.hub.report_checks import MAX_REPORT_BYTES
from app.hub.transport import PerOriginTransport
from app.trust.httpx_auth import SignedRequestAuth
from app.trust.keys import SigningKey, jwk_thumbprint, public_key_from_jwk
from app.web import FHIR_JSON

RETRY_STATUSES = frozenset({502, 503, 504})
MAX_ATTEMPTS = 3
BACKOFF_S = 0.2


@functools.cache
def tls_context() -> ssl.SSLContext:
    """Return the TLS context for node connections, built once (loading CA roots costs ~35 ms)."""
    return ssl.create_default_context()


def pinned_keys(node: NodeEntry) -> dict[str, Ed25519PublicKey]:
    """Return the node's pinned public keys by key id (RFC 7638 thumbprint); raises ``ConfigError``."""
    return dict(_keys_of(orjson.dumps(node.jwks, option=orjson.OPT_SORT_KEYS)))


@functools.lru_cache(maxsize=256)
def _keys_of(jwks_json: bytes) -> Mapping[str, Ed25519PublicKey]:
    # Keyed by the JWKs' canonical JSON, so an edited configuration is never served stale keys;
    # a bad JWK raises, and errors are not cached.
    return {jwk_thumbprint(jwk): public_key_from_jwk(jwk) for jwk in orjson.loads(jwks_json)}


def refusal_detail(response: httpx.Response) -> str:
    """Return a refused answer's reason (its OperationOutcome diagnostics), at most 500 chars."""
    return outcome_text(response.content, response.status_code)


async def post_with_retries(
    client: httpx.AsyncClient,
    url: httpx.URL,
    body: bytes,
    auth: httpx.Auth,
    *,
    max_bytes: int | None = None,
) -> httpx.Response:
    """POST ``body`` signed by ``auth``, retrying connection errors and 502/503/504 with backoff.

    With ``max_bytes`` at most that many bytes and one more of the answer are read: a longer
    answer comes back cut there (the caller sees it is too long), never held whole in memory.
    """
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            if max_bytes is None:
                response = await client.post(
                    url, content=body, headers={"content-type": FHIR_JSON}, auth=auth
                )
            else:
                response = await _post_capped(client, url, body, auth, max_bytes)
        except (httpx.ConnectError, httpx.RemoteProtocolError):
            if attempt == MAX_ATTEMPTS:
                raise
        else:
            if response.status_code not in RETRY_STATUSES or attempt == MAX_ATTEMPTS:
                return response
        await asyncio.sleep(BACKOFF_S * 2 ** (attempt - 1))
    raise AssertionError("unreachable")  # the loop always returns or raises


async def _post_capped(
    client: httpx.AsyncClient, url: httpx.URL, body: bytes, auth: httpx.Auth, max_bytes: int
) -> httpx.Response:
    request = client.build_request("POST", url, content=body, headers={"content-type": FHIR_JSON})
    response = await client.send(request, auth=auth, stream=True)
    chunks, size = [], 0
    try:
        async for chunk in response.aiter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size > max_bytes:
                break
    finally:
        await response.aclose()
    return httpx.Response(
        response.status_code,
        headers=response.headers,
        content=b"".join(chunks)[: max_bytes + 1],
        request=response.request,
    )


@dataclass(frozen=True)
class PushTask:
    """One node's task to send: the node, the task's target URI and the exact body."""

    node: NodeEntry
    url: str
    body: bytes


async def query_node(
    client: httpx.AsyncClient,
    task: PushTask,
    *,
    key: SigningKey,
    timeout_s: float,
    clock: Callable[[], float] = time.time,
) -> NodeReply:
    """Send one task to its node, signed; return its outcome (never raises for node failures)."""
    started = time.perf_counter()
    node = task.node
    auth = SignedRequestAuth(key, clock=clock)
    problem = node_url_problem(node.url, allow_link_local=node.allow_link_local)
    if problem is not None:
        return NodeReply(node.id, node.country, "unreachable", detail=problem)
    try:
        keys = pinned_keys(node)
        async with asyncio.timeout(timeout_s):  # unlike ``wait_for``, no extra task per node
            response = await post_with_retries(
                client, httpx.URL(task.url), task.body, auth, max_bytes=MAX_REPORT_BYTES
            )
        sent = response.request
        reply = reply_from_answer(
            node,
            SentRequest(sent.method, str(sent.url), sent.headers, sent.content),
            status=response.status_code,
            headers=response.headers,
            body=response.content,
            keys=keys,
            now=clock(),
        )
    except (TimeoutError, httpx.TimeoutException):
        reply = _timeout(node, timeout_s)
    except httpx.HTTPError as error:
        reply = NodeReply(node.id, node.country, "unreachable", detail=type(error).__name__)
    return replace(reply, elapsed_s=time.perf_counter() - started)


def _timeout(node: NodeEntry, timeout_s: float) -> NodeReply:
    return NodeReply(node.id, node.country, "timeout", detail=f"no answer within {timeout_s:g} s")


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
    tasks: Sequence[PushTask],
    *,
    key: SigningKey,
    timeout_s: float,
    clock: Callable[[], float] = time.time,
    on_reply: Callable[[NodeReply], None] | None = None,
    client: httpx.AsyncClient | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> list[NodeReply]:
    """Send every task concurrently; return the outcomes in the order of ``tasks``.

    With ``client`` the connections stay open for the next query; without, a client is made
    and closed for this one fan-out.
    """

    async def one(http: httpx.AsyncClient, task: PushTask) -> NodeReply:
        reply = await query_node(http, task, key=key, timeout_s=timeout_s, clock=clock)
        if on_reply is not None:
            on_reply(reply)
        return reply

    if client is not None:
        return list(await asyncio.gather(*(one(client, task) for task in tasks)))
    async with node_client(timeout_s=timeout_s, nodes=len(tasks), transport=transport) as own:
        return list(await asyncio.gather(*(one(own, task) for task in tasks)))
