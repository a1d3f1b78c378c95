"""``create_hub_app(settings)``: the hub API (bearer tokens) and its offline dashboard."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable

from fastapi import FastAPI

from app.config import HubSettings
from app.errors import KetanetError
from app.hub import routes_dashboard, routes_health, routes_nodes, routes_queries, routes_tasks
from app.hub.node_trust import node_request_verifier
from app.hub.service import HubService
from app.hub.tokens import TokenRegistry
from app.node.ratelimit import RateLimiter
from app.trust.signatures import claimed_keyid
from app.web import AuditEveryRequest, OrjsonResponse, install_error_handlers


def create_hub_app(
    settings: HubSettings,
    *,
    clock: Callable[[], float] = time.time,
) -> FastAPI:
    """Return a hub app for ``settings``: database ready, key loaded, routes mounted.

    While it serves (its lifespan), the task queue is swept: overdue tasks time out, push tasks a
    stopped process left behind are sent, settled queries are finalised.
    """
    service = HubService(settings, clock=clock)
    tokens = TokenRegistry.from_file(settings.hub.api_token_file)
    verifier = node_request_verifier(settings, service.engine, clock=clock)
    node_of_key = {kid: peer.name for peer in verifier.trust.peers for kid in peer.keys}

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await service.keep_connections()
        sweeper = asyncio.create_task(service.sweep_forever())
        yield
        sweeper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sweeper
        await service.aclose()

    app = FastAPI(
        title="KetaNet hub",
        default_response_class=OrjsonResponse,
        lifespan=lifespan,
        docs_url=None,  # self-hosted in routes_dashboard (Swagger UI's default loads from a CDN)
        redoc_url=None,
    )
    app.add_middleware(
        AuditEveryRequest,
        append=service.audit.append,
        actor_of=lambda headers: _actor(tokens, node_of_key, headers),
    )
    app.state.service = service
    app.state.tokens = tokens
    app.state.verifier = verifier
    app.state.bearer_failures = RateLimiter(settings.hub.bearer_failures_per_minute, clock=clock)
    install_error_handlers(app)
    app.include_router(routes_dashboard.router)
    app.include_router(routes_queries.router)
    app.include_router(routes_nodes.router)
    app.include_router(routes_tasks.router)
    app.include_router(routes_health.router)
    return app


def _actor(tokens: TokenRegistry, node_of_key: dict[str, str], headers: dict[str, str]) -> str:
    """Return who an audit entry names: the token's analyst, a node by its key, or ``anonymous``."""
    try:
        return tokens.analyst(headers.get("authorization"))
    except KetanetError:
        # An entry written here is of a request nothing verified: the key id is only claimed.
        kid = claimed_keyid(headers)
        return f"unverified:{node_of_key.get(kid, kid)}"[:200] if kid else "anonymous"
