"""``create_node_app(settings)``: the node's FastAPI application, built without global state."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from urllib.parse import urlsplit

from fastapi import FastAPI

from app.config import NodeSettings
from app.linkage.wire import packed_length
from app.node import routes_fhir, routes_measure, routes_meta, routes_overlap, routes_records
from app.node.bodylimit import BodyLimitMiddleware
from app.node.context import NodeContext, build_node_context
from app.node.hub_link import deliver_forever
from app.trust.fastapi_auth import unverified_actor
from app.trust.signatures import claimed_keyid
from app.web import FHIR_JSON, AuditEveryRequest, OrjsonResponse, install_error_handlers


def create_node_app(
    settings: NodeSettings,
    *,
    clock: Callable[[], float] = time.time,
    rng: random.Random | None = None,
) -> FastAPI:
    """Return a node app for ``settings``: database migrated, keys loaded, routes mounted.

    ``clock`` stamps answers, audit entries and signatures; ``rng`` draws the noise of answers
    (None: the OS CSPRNG). Freeze and seed them only to make answers reproducible in tests.
    """
    return node_app_for(build_node_context(settings, clock=clock, rng=rng))


def node_app_for(context: NodeContext) -> FastAPI:
    """Return the node app serving ``context`` (the pull worker dispatches tasks into it).

    A push node that knows its hub (``[hub]``) sends, while it serves, the steward decisions the
    hub could not take when they were made.
    """
    settings = context.settings
    link = settings.hub
    lifespan = _delivering(context) if link is not None and link.mode == "push" else None
    app = FastAPI(
        title=f"KetaNet node {settings.node.id} ({settings.node.country})",
        default_response_class=OrjsonResponse,
        openapi_url="/openapi.json",
        lifespan=lifespan,
    )
    # An overlap round carries up to two blinded sets: its own, larger limit.
    overlap_bytes = packed_length(2 * settings.limits.max_overlap_elements) + 65_536
    app.add_middleware(
        BodyLimitMiddleware,
        max_body_bytes=settings.limits.max_body_bytes,
        path_limits={"/fhir/Measure/$overlap-": max(overlap_bytes, settings.limits.max_body_bytes)},
    )
    app.add_middleware(
        AuditEveryRequest,
        append=context.audit.append,
        actor_of=lambda headers: (
            unverified_actor(headers) if claimed_keyid(headers) else "anonymous"
        ),
    )
    app.state.ctx = context
    app.state.verifier = context.verifier
    app.state.stranger_limiter = context.stranger_limiter
    install_error_handlers(app, media_type=FHIR_JSON)
    app.include_router(routes_meta.router)
    app.include_router(routes_measure.router)
    app.include_router(routes_overlap.router)
    app.include_router(routes_fhir.router)
    app.include_router(routes_records.router)
    return _mounted_at_audience_path(app, settings.node.public_url, lifespan)


Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def _delivering(context: NodeContext) -> Lifespan:
    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        delivery = asyncio.create_task(deliver_forever(context))
        yield
        delivery.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await delivery

    return lifespan


def _mounted_at_audience_path(
    app: FastAPI, public_url: str, lifespan: Lifespan | None = None
) -> FastAPI:
    """Serve under the path of ``public_url`` (e.g. ``https://host/ketanet``) when it has one.

    Peers sign requests for ``public_url``; the target URI the node rebuilds from what it
    receives then starts with that path, so the audience check holds behind such a prefix.
    """
    prefix = urlsplit(public_url).path.rstrip("/")
    if not prefix:
        return app
    # a mounted app's lifespan is not run: the outer app runs it
    outer = FastAPI(
        title=app.title, openapi_url=None, docs_url=None, redoc_url=None, lifespan=lifespan
    )
    outer.state.ctx = app.state.ctx
    outer.mount(prefix, app)
    return outer
