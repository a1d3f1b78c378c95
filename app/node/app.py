"""``create_node_app(settings)``: the node's FastAPI application, built without global state."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from fastapi import FastAPI

from app.config import NodeSettings
from app.deid.record_keys import derived_secret
from app.errors import ConfigError
from app.ingest.record_keys import assign_missing_record_keys
from app.linkage.rounds import BlindingRounds
from app.linkage.wire import packed_length
from app.node import routes_fhir, routes_measure, routes_meta, routes_overlap, routes_records
from app.node.bodylimit import BodyLimitMiddleware
from app.node.context import NodeContext
from app.node.ratelimit import RateLimiter
from app.store import create_store_engine, upgrade_schema
from app.trust.audit import AuditLog
from app.trust.keys import load_signing_key
from app.trust.nonces import NonceStore
from app.trust.peers import TrustStore
from app.trust.signatures import RequestVerifier, claimed_keyid
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
    engine = create_store_engine(settings.node.database_url)
    upgrade_schema(engine)
    secret = settings.node.pseudonym_secret.read_bytes().strip()
    # Rows stored by a release without record keys get them now, from their pseudonyms.
    assign_missing_record_keys(engine, secret)
    _refuse_noise_without_budget(settings)
    audit = AuditLog(engine, clock=clock)
    verifier = RequestVerifier(
        trust=TrustStore.from_peer_configs(settings.peers),
        nonces=NonceStore(engine, clock=clock),
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
        rng=rng,
        noise_secret=derived_secret(secret, "keyed-noise"),
        rounds=BlindingRounds(clock=clock),
    )
    app = FastAPI(
        title=f"KetaNet node {settings.node.id} ({settings.node.country})",
        default_response_class=OrjsonResponse,
        openapi_url="/openapi.json",
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
        append=audit.append,
        actor_of=lambda headers: claimed_keyid(headers) or "anonymous",
    )
    app.state.ctx = context
    app.state.verifier = verifier
    install_error_handlers(app, media_type=FHIR_JSON)
    app.include_router(routes_meta.router)
    app.include_router(routes_measure.router)
    app.include_router(routes_overlap.router)
    app.include_router(routes_fhir.router)
    app.include_router(routes_records.router)
    return _mounted_at_audience_path(app, settings.node.public_url)


def _refuse_noise_without_budget(settings: NodeSettings) -> None:
    """Refuse to start with noise but no budget (settings built in code skip the config check)."""
    policies = [("disclosure", settings.disclosure)] + [
        (f"peers.{peer.name}.disclosure", peer.disclosure)
        for peer in settings.peers
        if peer.disclosure is not None
    ]
    for where, policy in policies:
        if policy.epsilon > 0 and policy.epsilon_budget <= 0:
            raise ConfigError(f"{where}: epsilon > 0 needs epsilon_budget > 0")


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
