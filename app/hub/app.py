"""``create_hub_app(settings)``: the hub API (bearer tokens) and its offline dashboard."""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncIterator, Callable

import httpx
from fastapi import FastAPI

from app.config import HubSettings
from app.errors import KetanetError
from app.hub import routes_dashboard, routes_nodes, routes_queries
from app.hub.service import HubService
from app.hub.tokens import TokenRegistry
from app.web import AuditEveryRequest, OrjsonResponse, install_error_handlers


def create_hub_app(
    settings: HubSettings,
    *,
    clock: Callable[[], float] = time.time,
    transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """Return a hub app for ``settings``: database ready, key loaded, routes mounted."""
    service = HubService(settings, clock=clock, transport=transport)
    tokens = TokenRegistry.from_file(settings.hub.api_token_file)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await service.keep_connections()
        yield
        await service.aclose()

    app = FastAPI(title="KetaNet hub", default_response_class=OrjsonResponse, lifespan=lifespan)
    app.add_middleware(
        AuditEveryRequest,
        append=service.audit.append,
        actor_of=lambda headers: _actor(tokens, headers),
    )
    app.state.service = service
    app.state.tokens = tokens
    install_error_handlers(app)
    app.include_router(routes_dashboard.router)
    app.include_router(routes_queries.router)
    app.include_router(routes_nodes.router)
    return app


def _actor(tokens: TokenRegistry, headers: dict[str, str]) -> str:
    """Return the analyst an audit entry names: the token's owner, or ``anonymous``."""
    try:
        return tokens.analyst(headers.get("authorization"))
    except KetanetError:
        return "anonymous"
