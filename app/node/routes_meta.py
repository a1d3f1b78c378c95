"""Node endpoints outside FHIR: health, public keys and the signed audit checkpoint."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import text

from app.node.deps import ContextDep, VerifiedDep
from app.store import data_as_of
from app.trust.keys import jwks_document
from app.web import OrjsonResponse, request_audit

router = APIRouter()


@router.get("/health")
def health(ctx: ContextDep) -> OrjsonResponse:
    """Liveness and readiness (database reachable) and the time of the last ingest; no data."""
    try:
        with ctx.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        as_of = data_as_of(ctx.engine)
    except Exception:  # any database failure means "not ready", never a trace to the client
        return OrjsonResponse(
            {"status": "unavailable", "database": "unreachable", "data_as_of": None},
            status_code=503,
        )
    node = ctx.settings.node
    return OrjsonResponse(
        {
            "status": "ok",
            "database": "reachable",
            "node": node.id,
            "country": node.country,
            "data_as_of": as_of,
            "kid": ctx.signing_key.kid,
        }
    )


@router.get("/.well-known/jwks.json")
def jwks(ctx: ContextDep) -> OrjsonResponse:
    """The node's public signing keys."""
    return OrjsonResponse(jwks_document([ctx.signing_key]))


@router.get("/audit/checkpoint")
async def audit_checkpoint(
    request: Request, ctx: ContextDep, verified: VerifiedDep
) -> OrjsonResponse:
    """The audit chain head signed by the node, for any trusted peer to keep as a witness."""
    checkpoint = await run_in_threadpool(ctx.audit.checkpoint, ctx.signing_key)
    await request_audit(request).answered(verified.kid, "audit-checkpoint", "/audit/checkpoint")
    return OrjsonResponse(checkpoint)
