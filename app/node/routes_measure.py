"""``POST /fhir/Measure/$evaluate-measure``: a signed aggregate query answered with a signed report."""

from __future__ import annotations

import asyncio

import orjson
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from app.catalogue import load_catalogue
from app.errors import InputError, KetanetError, Unavailable
from app.exchange.query import MeasureQuery, parse_parameters
from app.node.answers import answer_query
from app.node.context import NodeContext
from app.node.deps import ContextDep, VerifiedDep
from app.node.routes_overlap import require_linkage
from app.store import data_as_of, data_version
from app.trust.digest import content_digest
from app.trust.fastapi_auth import require_grant
from app.trust.signatures import sign_response
from app.web import FHIR_JSON, request_audit

router = APIRouter()


@router.post("/fhir/Measure/$evaluate-measure")
async def evaluate_measure(request: Request, ctx: ContextDep, verified: VerifiedDep) -> Response:
    """Answer one catalogue measure for a peer with the ``aggregate`` grant, signed and audited."""
    body = await request.body()
    target = "Measure/$evaluate-measure"
    try:
        require_grant(verified, "aggregate")
        ctx.rate_limiter.take(verified.peer.name)
        query = _parse(body)
        target = f"Measure/{query.measure}"
        definition = load_catalogue().get(query.measure)
        if definition is not None and definition.linked:
            require_linkage(ctx)
        # the privacy ledger and answer cache belong to the peer, whichever of its keys signed
        limit_s = ctx.settings.limits.query_timeout_s
        try:
            # the database stops the evaluation at limit_s; the outer wait is a backstop
            payload = await asyncio.wait_for(
                run_in_threadpool(_answer, ctx, query, verified.peer.name), limit_s + 5
            )
        except TimeoutError:
            raise Unavailable(f"the query ran over query_timeout_s ({limit_s:g} s)") from None
    except KetanetError as error:
        await request_audit(request).refused(
            error, verified.kid, "evaluate-measure", target, request_digest=content_digest(body)
        )
        raise
    headers = sign_response(
        status=200,
        headers={"content-type": FHIR_JSON},
        body=payload,
        request=verified,
        key=ctx.signing_key,
        now=ctx.clock(),
    )
    await request_audit(request).answered(
        verified.kid,
        "evaluate-measure",
        target,
        request_digest=content_digest(body),
        response_digest=content_digest(payload),
    )
    return Response(
        content=payload,
        status_code=200,
        media_type=FHIR_JSON,
        headers={name: value for name, value in headers.items() if name.lower() != "content-type"},
    )


def _parse(body: bytes) -> MeasureQuery:
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise InputError("body: not valid JSON (expected a FHIR Parameters resource)") from None
    if not isinstance(document, dict) or document.get("resourceType") != "Parameters":
        raise InputError("body: expected a FHIR Parameters resource")
    # Only the shape here: ``answer_query`` checks the query against the catalogue, once.
    return parse_parameters(document)


def _answer(ctx: NodeContext, query: MeasureQuery, peer: str) -> bytes:
    node = ctx.settings.node
    return answer_query(
        ctx.engine,
        query,
        requester_kid=f"peer:{peer}",
        settings=ctx.disclosure_for(peer),
        noise_secret=ctx.noise_secret,
        max_strata=ctx.settings.limits.max_strata,
        timeout_s=ctx.settings.limits.query_timeout_s,
        data_version=data_version(ctx.engine),
        country=node.country,
        node_id=node.id,
        data_as_of=data_as_of(ctx.engine),
        rng=ctx.rng,
        clock=ctx.clock,
    )
