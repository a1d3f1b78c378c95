"""``POST /fhir/Measure/$evaluate-measure``: a signed aggregate query answered with a signed report.

Under ``[approval]`` a measure may instead be held for the node's data steward (a signed 202
naming the approval id; the answer goes to the hub's task later) or refused by policy (a signed
403 ``policy: denied``), after the same checks as any request (docs/governance.md).
"""

from __future__ import annotations

import asyncio
from datetime import date

import orjson
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from app.catalogue import load_catalogue, validate_query
from app.errors import InputError, KetanetError, PolicyRefusal, Unavailable
from app.exchange.query import MeasureQuery, check_period_bounds, parse_parameters, utc_today
from app.exchange.tasks import task_reference
from app.node import approvals
from app.node.context import NodeContext
from app.node.deps import ContextDep, VerifiedDep
from app.node.evaluation import evaluate_for_peer, response_headers, signed_headers
from app.node.routes_overlap import require_linkage
from app.trust.digest import content_digest
from app.trust.fastapi_auth import require_grant
from app.trust.signatures import VerifiedRequest
from app.trust.witness import CHECKPOINT_HEADER, encode_checkpoint
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
        query = _parse(body, today=utc_today(ctx.clock))
        target = f"Measure/{query.measure}"
        definition = load_catalogue().get(query.measure)
        if definition is not None and definition.linked:
            require_linkage(ctx)
        mode = ctx.settings.approval.mode_for(query.measure)
        if mode != "auto":
            return await _governed(request, ctx, verified, body, query, mode=mode, target=target)
        limit_s = ctx.settings.limits.query_timeout_s
        try:
            async with ctx.evaluation_slots.slot(wait_s=limit_s):
                # the database stops the evaluation at limit_s; the outer wait is a backstop
                payload = await asyncio.wait_for(
                    run_in_threadpool(evaluate_for_peer, ctx, query, verified.peer.name),
                    limit_s + 5,
                )
        except TimeoutError:
            raise Unavailable(f"the query ran over query_timeout_s ({limit_s:g} s)") from None
    except KetanetError as error:
        await request_audit(request).refused(
            error, verified.kid, "evaluate-measure", target, request_digest=content_digest(body)
        )
        raise
    headers = signed_headers(ctx, status=200, body=payload, request=verified)
    await request_audit(request).answered(
        verified.kid,
        "evaluate-measure",
        target,
        request_digest=content_digest(body),
        response_digest=content_digest(payload),
    )
    # After the answer's own entry: the hub keeps this head as a witness (``app.hub.witness``).
    checkpoint = await run_in_threadpool(ctx.audit.checkpoint, ctx.signing_key, store=False)
    headers[CHECKPOINT_HEADER] = encode_checkpoint(checkpoint)
    return Response(
        content=payload, status_code=200, media_type=FHIR_JSON, headers=response_headers(headers)
    )


async def _governed(
    request: Request,
    ctx: NodeContext,
    verified: VerifiedRequest,
    body: bytes,
    query: MeasureQuery,
    *,
    mode: str,
    target: str,
) -> Response:
    """Refuse a denied measure (signed 403) or hold a manual one for the steward (signed 202)."""
    digest = content_digest(body)
    if mode == "deny":
        answer = approvals.refuse_by_policy(ctx, verified)
        await request_audit(request).refused(
            PolicyRefusal("policy: denied"), verified.kid, "evaluate-measure", target,
            request_digest=digest,
        )  # fmt: skip
    else:
        validate_query(query)  # a bad request is refused at once, never held
        task = task_reference(verified.url)
        if task is None:
            raise PolicyRefusal(
                "policy: this measure needs the data steward's approval, and the request "
                "names no hub task to deliver the answer to"
            )
        approval_id, answer = await run_in_threadpool(
            approvals.hold, ctx, verified, body=body, query=query, task=task
        )
        await request_audit(request).held(
            verified.kid, "evaluate-measure", target,
            reason=f"approval {approval_id} for task {task[0]}", request_digest=digest,
        )  # fmt: skip
    return Response(
        content=answer.body,
        status_code=answer.status,
        media_type=FHIR_JSON,
        headers=response_headers(answer.headers),
    )


def _parse(body: bytes, *, today: date) -> MeasureQuery:
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise InputError("body: not valid JSON (expected a FHIR Parameters resource)") from None
    if not isinstance(document, dict) or document.get("resourceType") != "Parameters":
        raise InputError("body: expected a FHIR Parameters resource")
    # Only the shape and the period's range here: ``answer_query`` checks the query against the
    # catalogue, once.
    query = parse_parameters(document)
    check_period_bounds(query.period_start, query.period_end, today=today)
    return query
