"""Signed fan-out of a query's push tasks to their nodes at once, with verified answers.

Each node gets its own signed request (fresh nonce, its own audience, the task's target URI),
sent through the hub's aiohttp session (``transport``): transient failures (connection errors,
502/503/504) are retried with backoff inside the node's time budget; 4xx never are. A node's
outcome is always one of the contract statuses, and one node failing never fails the query.
Answers are verified against the node's pinned keys before they are parsed (``node_answers``,
the same reading as for pull nodes).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import aiohttp

from app.config import NodeEntry
from app.hub.node_answers import reply_from_answer
from app.hub.node_trust import pinned_keys
from app.hub.node_urls import node_url_problem
from app.hub.replies import NodeReply
from app.hub.report_checks import MAX_REPORT_BYTES
from app.hub.transport import post_signed
from app.trust.keys import SigningKey


@dataclass(frozen=True)
class PushTask:
    """One node's task to send: the node, the task's target URI and the exact body."""

    node: NodeEntry
    url: str
    body: bytes


async def query_node(
    session: aiohttp.ClientSession,
    task: PushTask,
    *,
    key: SigningKey,
    clock: Callable[[], float] = time.time,
) -> NodeReply:
    """Send one task to its node, signed; return its outcome (never raises for node failures).

    Its time budget is the caller's (``fan_out`` cancels it when the budget is spent).
    """
    started = time.perf_counter()
    node = task.node
    problem = node_url_problem(node.url, allow_link_local=node.allow_link_local)
    if problem is not None:
        return NodeReply(node.id, node.country, "unreachable", detail=problem)
    try:
        keys = pinned_keys(node)
        response = await post_signed(
            session, task.url, task.body, key=key, clock=clock, max_bytes=MAX_REPORT_BYTES
        )
        reply = reply_from_answer(
            node,
            response.request,
            status=response.status,
            headers=response.headers,
            body=response.body,
            keys=keys,
            now=clock(),
        )
    except TimeoutError:  # aiohttp's connect and read time-outs are TimeoutErrors too
        reply = _timeout(node, _socket_timeout_s(session))
    except aiohttp.ClientError as error:
        reply = NodeReply(node.id, node.country, "unreachable", detail=type(error).__name__)
    return replace(reply, elapsed_s=time.perf_counter() - started)


def _timeout(node: NodeEntry, timeout_s: float | None = None) -> NodeReply:
    budget = "its time budget" if timeout_s is None else f"{timeout_s:g} s"
    return NodeReply(node.id, node.country, "timeout", detail=f"no answer within {budget}")


def _socket_timeout_s(session: aiohttp.ClientSession) -> float | None:
    """Return the session's connect/read time-out, the one that cut a node short (``node_session``
    sets both to the hub's ``timeout_s``), so its detail reads like the fan-out deadline's."""
    timeout = session.timeout
    limits = [s for s in (timeout.sock_connect, timeout.sock_read, timeout.total) if s is not None]
    return min(limits) if limits else None


async def fan_out(
    session: aiohttp.ClientSession,
    tasks: Sequence[PushTask],
    *,
    key: SigningKey,
    timeout_s: float,
    clock: Callable[[], float] = time.time,
    on_reply: Callable[[NodeReply], None] | None = None,
) -> list[NodeReply]:
    """Send every task concurrently through ``session``; return the outcomes in task order.

    Every node has ``timeout_s`` from now; a node still busy then is cancelled: ``timeout``.
    """
    started = time.perf_counter()

    async def one(task: PushTask) -> NodeReply:
        reply = await query_node(session, task, key=key, clock=clock)
        if on_reply is not None:
            on_reply(reply)
        return reply

    running = [asyncio.ensure_future(one(task)) for task in tasks]
    if not running:
        return []
    # One deadline for the fan-out, not a timer per node: all budgets start together.
    _done, late = await asyncio.wait(running, timeout=timeout_s)
    for future in late:
        future.cancel()
    await asyncio.gather(*late, return_exceptions=True)  # let them close their connections
    replies = []
    for task, future in zip(tasks, running, strict=True):
        if future in late:
            reply = replace(_timeout(task.node, timeout_s), elapsed_s=time.perf_counter() - started)
            if on_reply is not None:
                on_reply(reply)
        else:
            reply = future.result()
        replies.append(reply)
    return replies
