"""The hub's HTTP client for its nodes: one aiohttp session, signed POSTs, retries, a size cap.

The fan-out sends one signed request per node at once, so the client's CPU per request sets how
far behind the slowest node the hub finishes (bench/README.md, "Fan-out on aiohttp"). aiohttp's
request and response path costs a fraction of httpx's; its connector keeps one keep-alive pool
per origin (scheme, host, port), so the bookkeeping per request does not grow with the nodes.

``post_signed`` signs every attempt afresh (``created``, nonce), retries connection failures and
502/503/504 with backoff (never a 4xx), and reads at most ``max_bytes`` + 1 bytes of an answer.
Timeouts raise ``TimeoutError`` (aiohttp's are subclasses), other failures ``aiohttp.ClientError``.
"""

from __future__ import annotations

import asyncio
import functools
import ssl
import time
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import aiohttp

from app.hub.node_answers import SentRequest
from app.trust.aiohttp_auth import signed_request
from app.trust.keys import SigningKey
from app.web import FHIR_JSON

RETRY_STATUSES = frozenset({502, 503, 504})
MAX_ATTEMPTS = 3
BACKOFF_S = 0.2
RETRIED = (aiohttp.ClientConnectorError, aiohttp.ServerDisconnectedError)
"""No connection, or the node closed it before answering (a kept-alive connection it dropped)."""
READ_CHUNK_BYTES = 65_536


@functools.cache
def tls_context() -> ssl.SSLContext:
    """Return the TLS context for node connections, built once (loading CA roots costs ~35 ms)."""
    return ssl.create_default_context()


def node_session(
    *,
    timeout_s: float,
    nodes: int,
    trace_configs: Sequence[aiohttp.TraceConfig] = (),
) -> aiohttp.ClientSession:
    """Return a session for node calls; keep it for the life of an event loop (keep-alive).

    Up to ``max(10, 2 * nodes)`` connections per node origin, verified with ``tls_context()``;
    connecting and each read may take up to ``timeout_s``; an HTTP(S) proxy of the environment
    is used as before (``proxies_configured``). Call inside a running event loop.
    """
    connector = aiohttp.TCPConnector(ssl=tls_context(), limit=0, limit_per_host=max(10, 2 * nodes))
    return aiohttp.ClientSession(
        connector=connector,
        timeout=aiohttp.ClientTimeout(total=None, sock_connect=timeout_s, sock_read=timeout_s),
        trace_configs=list(trace_configs) or None,
        trust_env=proxies_configured(),
    )


def proxies_configured() -> bool:
    """Return whether the environment names an HTTP(S) proxy (``HTTPS_PROXY``, ``HTTP_PROXY``).

    The hub's httpx client followed such proxies; aiohttp does when ``trust_env`` is on, at the
    price of reading ``.netrc`` in a worker thread on every request, so it is on only then.
    """
    return bool({"http", "https"} & urllib.request.getproxies().keys())


@dataclass(frozen=True)
class NodeResponse:
    """A node's answer as read: status, headers, body (cut at the cap), the request it answers."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    request: SentRequest


async def post_signed(
    session: aiohttp.ClientSession,
    url: str,
    body: bytes,
    *,
    key: SigningKey,
    clock: Callable[[], float] = time.time,
    max_bytes: int | None = None,
) -> NodeResponse:
    """POST ``body`` signed with ``key``, retrying connection errors and 502/503/504 with backoff.

    With ``max_bytes`` at most that many bytes and one more of the answer are read: a longer
    answer comes back cut there (the caller sees it is too long), never held whole in memory.
    Raises ``TimeoutError`` and ``aiohttp.ClientError``.
    """
    for attempt in range(1, MAX_ATTEMPTS + 1):
        target, headers = signed_request(
            "POST", url, headers={"Content-Type": FHIR_JSON}, body=body, key=key, now=clock()
        )
        try:
            async with session.post(target, data=body, headers=headers) as response:
                answer = await _read(response, max_bytes)
        except RETRIED:
            if attempt == MAX_ATTEMPTS:
                raise
        else:
            if response.status not in RETRY_STATUSES or attempt == MAX_ATTEMPTS:
                return NodeResponse(
                    response.status,
                    response.headers,
                    answer,
                    SentRequest("POST", str(target), headers, body),
                )
        await asyncio.sleep(BACKOFF_S * 2 ** (attempt - 1))
    raise AssertionError("unreachable")  # the loop always returns or raises


async def _read(response: aiohttp.ClientResponse, max_bytes: int | None) -> bytes:
    length = response.content_length
    if max_bytes is None or (length is not None and length <= max_bytes):
        return await response.read()  # aiohttp reads exactly Content-Length bytes, no more
    chunks, size = [], 0
    while size <= max_bytes:
        chunk = await response.content.read(min(READ_CHUNK_BYTES, max_bytes + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    # leaving ``async with`` with the body unread closes the connection: it is not reused
    return b"".join(chunks)
