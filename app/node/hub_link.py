"""The node's signed client for the hub: fetch tasks (pull mode) and deliver answers to tasks.

Every request is signed with the node's key (docs/signing.md) for the hub's URL (``[hub] url``,
the hub's audience). ``deliver_decisions`` sends the answers and denials the data steward made to
the hub's tasks, in both delivery modes, and keeps the ones the hub could not take yet for the
next try.
"""

from __future__ import annotations

import asyncio
import logging
from types import TracebackType

import httpx

from app.config import HubLinkSection
from app.errors import (
    ConfigError,
    Conflict,
    InputError,
    KetanetError,
    NotFound,
    PolicyRefusal,
    SignatureError,
    Unavailable,
)
from app.exchange.outcomes import outcome_text
from app.exchange.tasks import FetchedTask, ResultUpload
from app.node.context import NodeContext
from app.store.approvals import mark_delivered, note_delivery_attempt, undelivered
from app.trust.audit import iso_utc
from app.trust.httpx_auth import SignedRequestAuth

log = logging.getLogger("ketanet.node.hub")
CONNECT_TIMEOUT_S = 10.0
DELIVERY_RETRY_S = 30.0
"""How often a push node's server tries again to deliver decisions the hub did not take."""
FINAL_REFUSALS = frozenset({400, 403, 404, 409})
"""Hub answers to a delivery that trying again will not change."""
_ERRORS: dict[int, type[KetanetError]] = {
    400: InputError, 401: SignatureError, 403: PolicyRefusal, 404: NotFound, 409: Conflict,
}  # fmt: skip


def hub_link_of(ctx: NodeContext) -> HubLinkSection:
    """Return the node's ``[hub]`` section; raises ``ConfigError`` when node.toml has none."""
    if ctx.settings.hub is None:
        raise ConfigError("hub: node.toml has no [hub] table (url of the hub)")
    return ctx.settings.hub


class HubLink:
    """Signed requests from this node to the hub; an async context manager."""

    def __init__(self, ctx: NodeContext, *, transport: httpx.AsyncBaseTransport | None = None):
        self.settings = hub_link_of(ctx)
        self.client = httpx.AsyncClient(
            base_url=self.settings.url,
            auth=SignedRequestAuth(ctx.signing_key, clock=ctx.clock),
            timeout=httpx.Timeout(CONNECT_TIMEOUT_S + 30),
            transport=transport,
        )

    async def __aenter__(self) -> HubLink:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self.client.aclose()

    async def fetch(self, wait_s: float) -> list[FetchedTask]:
        """Return this node's waiting tasks, the hub waiting up to ``wait_s`` for one.

        Raises ``Unavailable`` when the hub cannot be reached, or the error of its refusal.
        """
        try:
            response = await self.client.get(
                "/api/tasks",
                params={"wait": f"{wait_s:g}"},
                timeout=httpx.Timeout(wait_s + CONNECT_TIMEOUT_S + 20, connect=CONNECT_TIMEOUT_S),
            )
        except httpx.HTTPError as error:
            raise Unavailable(f"hub unreachable ({type(error).__name__})") from None
        if response.status_code == 204:
            return []
        if response.status_code != 200:
            raise _refusal(response)
        try:
            tasks = response.json()["tasks"]
        except (ValueError, KeyError, TypeError):
            raise InputError("hub: GET /api/tasks answered no task list") from None
        return [FetchedTask.from_json(task) for task in tasks]

    async def upload(self, task_id: str, upload: ResultUpload) -> httpx.Response:
        """Send an answer to a task; return the hub's response; raises ``Unavailable``."""
        try:
            return await self.client.post(
                f"/api/tasks/{task_id}/result",
                content=upload.to_json(),
                headers={"content-type": "application/json"},
            )
        except httpx.HTTPError as error:
            raise Unavailable(f"hub unreachable ({type(error).__name__})") from None


def _refusal(response: httpx.Response) -> KetanetError:
    text = outcome_text(response.content, response.status_code)
    kind = _ERRORS.get(response.status_code, Unavailable)
    return kind(f"hub answered {response.status_code}: {text}")


async def deliver_decisions(ctx: NodeContext, link: HubLink) -> list[tuple[str, str]]:
    """Send every decided, undelivered approval to its task; return ``(approval id, outcome)``.

    A decision the hub took, or refused for good (the task is finished or expired), is marked
    delivered; one that did not reach the hub stays for the next try.
    """
    with ctx.engine.connect() as connection:
        waiting = undelivered(connection)
    outcomes = []
    for held in waiting:
        upload = ResultUpload(
            status=held.response_status or 500,
            headers=held.response_headers or {},
            body=held.response_body or b"",
        )
        try:
            response = await link.upload(held.task_id, upload)
        except Unavailable as error:
            outcome = f"not delivered: {error.message}"
            with ctx.engine.begin() as connection:
                note_delivery_attempt(connection, held.id, detail=outcome)
            outcomes.append((held.id, outcome))
            continue
        text = outcome_text(response.content, response.status_code)
        if response.is_success:
            outcome = f"delivered ({response.status_code})"
        elif response.status_code in FINAL_REFUSALS:
            outcome = f"refused by the hub ({response.status_code}: {text})"
        else:
            outcome = f"not delivered: hub answered {response.status_code}: {text}"
            with ctx.engine.begin() as connection:
                note_delivery_attempt(connection, held.id, detail=outcome)
            outcomes.append((held.id, outcome))
            continue
        with ctx.engine.begin() as connection:
            mark_delivered(connection, held.id, at=iso_utc(ctx.clock()), detail=outcome)
        log.info("approval %s for task %s: %s", held.id, held.task_id, outcome)
        outcomes.append((held.id, outcome))
    return outcomes


async def deliver_forever(ctx: NodeContext, *, interval_s: float = DELIVERY_RETRY_S) -> None:
    """Send undelivered decisions every ``interval_s`` until cancelled (a push node's server)."""
    async with HubLink(ctx) as link:
        while True:
            await asyncio.sleep(interval_s)
            try:
                await deliver_decisions(ctx, link)
            except Exception as error:  # a database hiccup must not end the loop
                log.warning("delivering decisions failed: %s", type(error).__name__)
