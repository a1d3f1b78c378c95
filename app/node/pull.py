"""Pull mode: the node fetches its tasks from the hub and answers them, opening no socket.

For registries behind firewalls that allow no inbound connection. The worker long-polls
``GET /api/tasks`` and hands each task's signed request — exactly as the hub signed it — to the
node's own app in process (``httpx.ASGITransport``), so it is verified and answered by the very
path a pushed request takes (signature, audience, replay, grant, validation, approval, disclosure,
response signature, audit). The response, status and signature included, is uploaded to
``POST /api/tasks/{id}/result``. Decided approvals waiting for delivery are sent on each round.
Docs: docs/governance.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from types import TracebackType
from typing import Any

import httpx
import orjson
from starlette.types import ASGIApp

from app.errors import KetanetError, SignatureError, Unavailable
from app.exchange.tasks import FetchedTask, ResultUpload
from app.node.context import NodeContext
from app.node.hub_link import HubLink, deliver_decisions, hub_link_of
from app.trust.keys import public_keys_by_kid
from app.trust.signatures import claimed_keyid
from app.web import FHIR_JSON

log = logging.getLogger("ketanet.node.pull")
UPLOAD_ATTEMPTS = 3
MAX_BACKOFF_S = 30.0


class PullWorker:
    """Fetch this node's tasks from the hub, answer each through the node's app, upload it."""

    def __init__(
        self,
        ctx: NodeContext,
        app: ASGIApp,
        *,
        hub_transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.ctx = ctx
        self.settings = hub_link_of(ctx)
        self.link = HubLink(ctx, transport=hub_transport)
        self.node_app = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            timeout=httpx.Timeout(ctx.settings.limits.query_timeout_s + 30),
        )
        peer = next(p for p in ctx.settings.peers if p.name == self.settings.peer)
        self.hub_key_ids = frozenset(public_keys_by_kid(peer.jwks))

    async def __aenter__(self) -> PullWorker:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self.link.__aexit__(kind, error, trace)
        await self.node_app.aclose()

    async def answer(self, task: FetchedTask) -> ResultUpload:
        """Return the node's answer to one task, as its app answers the signed request."""
        if claimed_keyid(task.headers) not in self.hub_key_ids:
            # The hub relays its own signatures only; anything else is not a task of the hub.
            refusal = SignatureError(f"task not signed by peer {self.settings.peer}")
            body = orjson.dumps(refusal.operation_outcome())
            return ResultUpload(401, {"content-type": FHIR_JSON}, body)
        response = await self.node_app.request(
            task.method, task.url, headers=task.headers, content=task.body
        )
        return ResultUpload(response.status_code, dict(response.headers), response.content)

    async def run_once(self, wait_s: float = 0.0) -> int:
        """Deliver decided approvals, fetch waiting tasks (waiting up to ``wait_s``), answer them.

        Returns how many tasks were answered. Raises ``Unavailable`` when the hub cannot be
        reached, or the error of the hub's refusal.
        """
        await deliver_decisions(self.ctx, self.link)
        tasks = await self.link.fetch(wait_s)
        for task in tasks:
            upload = await self.answer(task)
            await self._upload(task, upload)
        return len(tasks)

    async def run_forever(self, stop: asyncio.Event | None = None) -> None:
        """Poll the hub until ``stop`` is set, backing off while it cannot be reached.

        Setting ``stop`` ends a long-poll at once; a task being answered then is not uploaded,
        and the hub hands it out again when its lease ends.
        """
        stop = stop or asyncio.Event()
        backoff_s = 1.0
        while not stop.is_set():
            try:
                if not await _unless_stopped(self.run_once(self.settings.poll_wait_s), stop):
                    return
                backoff_s = 1.0
            except KetanetError as error:
                log.warning("hub %s: %s; next try in %.0f s", self.settings.url, error, backoff_s)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), backoff_s)
                backoff_s = min(backoff_s * 2, MAX_BACKOFF_S)

    async def _upload(self, task: FetchedTask, upload: ResultUpload) -> None:
        for attempt in range(1, UPLOAD_ATTEMPTS + 1):
            try:
                response = await self.link.upload(task.id, upload)
            except Unavailable:
                if attempt == UPLOAD_ATTEMPTS:
                    raise
                await asyncio.sleep(0.5 * 2 ** (attempt - 1))
                continue
            log.info(
                "task %s (query %s): answered %d, hub %d",
                task.id, task.query_id, upload.status, response.status_code,
            )  # fmt: skip
            return


async def _unless_stopped(work: Coroutine[Any, Any, int], stop: asyncio.Event) -> bool:
    """Run ``work`` unless ``stop`` is set first (then cancel it); return whether it ran."""
    running = asyncio.ensure_future(work)
    stopped = asyncio.ensure_future(stop.wait())
    await asyncio.wait({running, stopped}, return_when=asyncio.FIRST_COMPLETED)
    if running.done():
        stopped.cancel()
        running.result()  # raises what the round raised
        return True
    running.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await running
    return False
