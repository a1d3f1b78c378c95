"""``create_node_app(settings)``: the node's FastAPI application, built without global state."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.config import NodeSettings
from app.disclosure.tables import create_disclosure_tables
from app.errors import InputError, KetanetError, NotFound
from app.node import routes_fhir, routes_measure, routes_meta, routes_records
from app.node.bodylimit import BodyLimitMiddleware
from app.node.context import NodeContext
from app.node.ratelimit import RateLimiter
from app.store import create_store_engine, upgrade_schema
from app.trust.audit import AuditLog
from app.trust.keys import load_signing_key
from app.trust.nonces import NonceStore
from app.trust.peers import TrustStore
from app.trust.signatures import RequestVerifier, claimed_keyid
from app.trust.tables import create_trust_tables
from app.web import AuditEveryRequest, OrjsonResponse

FHIR_JSON = "application/fhir+json"
log = logging.getLogger("ketanet.node")


def create_node_app(settings: NodeSettings, *, clock: Callable[[], float] = time.time) -> FastAPI:
    """Return a node app for ``settings``: database migrated, keys loaded, routes mounted."""
    engine = create_store_engine(settings.node.database_url)
    upgrade_schema(engine)
    create_trust_tables(engine)
    create_disclosure_tables(engine)
    audit = AuditLog(engine, clock=clock)
    verifier = RequestVerifier(
        trust=TrustStore.from_peer_configs(settings.peers),
        nonces=NonceStore(engine),
        audience=settings.node.public_url,
        clock=clock,
    )
    context = NodeContext(
        settings=settings,
        engine=engine,
        signing_key=load_signing_key(settings.node.signing_key),
        verifier=verifier,
        audit=audit,
        rate_limiter=RateLimiter(settings.limits.rate_per_minute),
        clock=clock,
    )
    app = FastAPI(
        title=f"KetaNet node {settings.node.id} ({settings.node.country})",
        default_response_class=OrjsonResponse,
        openapi_url="/openapi.json",
    )
    app.add_middleware(BodyLimitMiddleware, max_body_bytes=settings.limits.max_body_bytes)
    app.add_middleware(
        AuditEveryRequest,
        audit=audit,
        actor_of=lambda headers: claimed_keyid(headers) or "anonymous",
    )
    app.state.ctx = context
    app.state.verifier = verifier
    app.state.audit = audit
    _install_error_handlers(app)
    app.include_router(routes_meta.router)
    app.include_router(routes_measure.router)
    app.include_router(routes_fhir.router)
    app.include_router(routes_records.router)
    return _mounted_at_audience_path(app, settings.node.public_url)


def _mounted_at_audience_path(app: FastAPI, public_url: str) -> FastAPI:
    """Serve under the path of ``public_url`` (e.g. ``https://host/ketanet``) when it has one.

    Peers sign requests for ``public_url``; the target URI the node rebuilds from what it
    receives then starts with that path, so the audience check holds behind such a prefix.
    """
    prefix = urlsplit(public_url).path.rstrip("/")
    if not prefix:
        return app
    outer = FastAPI(title=app.title, openapi_url=None, docs_url=None, redoc_url=None)
    outer.state.ctx = app.state.ctx
    outer.mount(prefix, app)
    return outer


def outcome_response(error: KetanetError) -> Response:
    """Render a domain error as a FHIR ``OperationOutcome`` with its status and headers."""
    return OrjsonResponse(
        error.operation_outcome(),
        status_code=error.http_status,
        media_type=FHIR_JSON,
        headers=error.headers(),
    )


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(KetanetError)
    async def _domain_error(_request: Request, error: KetanetError) -> Response:
        return outcome_response(error)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, error: RequestValidationError) -> Response:
        first = error.errors()[0] if error.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(part) for part in first.get("loc", ()))
        return outcome_response(InputError(f"{where}: {first.get('msg')}"))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, error: StarletteHTTPException) -> Response:
        if error.status_code == 404:
            return outcome_response(NotFound("no such endpoint"))
        wrapped = KetanetError(str(error.detail))
        response = outcome_response(wrapped)
        response.status_code = error.status_code
        return response

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, error: Exception) -> Response:
        # Never a stack trace or a value to the client; the log keeps the type only.
        log.error("internal error: %s", type(error).__name__)
        return outcome_response(KetanetError("internal error"))
