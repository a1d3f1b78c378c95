"""The node's three rounds of the cross-border overlap exchange (``docs/overlap.md``).

``POST /fhir/Measure/$overlap-blind`` (the pair's first node: blind its set, keep the key in
memory), ``$overlap-reblind`` (the second node: re-blind the first node's set, blind its own,
forget its key) and ``$overlap-count`` (the first node: count, forget the key, publish the count
under its disclosure policy as a signed ``MeasureReport``). Each is signed by a peer with the
``aggregate`` grant, rate-limited, audited with the digests of the blinded sets sent and received,
and answered with a signed response. A node without a linkage secret refuses: ``no linkage``.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from app.catalogue import load_catalogue, validate_query
from app.disclosure import effective_policy
from app.disclosure.bounds import total_bounds
from app.disclosure.pair_counts import disclose_pair_count, pair_count_refusal
from app.errors import Conflict, InputError, KetanetError, PolicyRefusal, Unavailable
from app.exchange.answer import MeasureAnswer, PopulationResult
from app.exchange.measure_report import from_measure_report, to_measure_report
from app.exchange.overlap import OverlapRequest, blinded_answer, parse_overlap_parameters
from app.exchange.query import MeasureQuery, canonical_key, check_period_bounds, utc_today
from app.linkage.psi import BlindingKey, blind_tokens, count_intersection, padded_size, reblind
from app.linkage.wire import pack_elements
from app.measures import treated_patient_tokens
from app.node.answers import answer_query, node_policy
from app.node.context import NodeContext
from app.node.deps import ContextDep, VerifiedDep
from app.store import data_as_of, data_version
from app.trust.digest import content_digest
from app.trust.fastapi_auth import require_grant
from app.trust.signatures import VerifiedRequest, sign_response
from app.web import FHIR_JSON, request_audit

router = APIRouter()
NO_LINKAGE = "no linkage"
Round = Callable[[NodeContext, MeasureQuery, OverlapRequest, str], tuple[bytes, str]]
"""(context, query, overlap parts, requester) -> (answer bytes, audit note of the sets)."""


def set_digest(elements: list[bytes]) -> str:
    """Return the digest the audit log records of a blinded set (SHA-256 of its packed text)."""
    return hashlib.sha256(pack_elements(elements).encode("ascii")).hexdigest()


def _blind(
    ctx: NodeContext, query: MeasureQuery, request: OverlapRequest, requester: str
) -> tuple[bytes, str]:
    """Round 1 at the first node: blind the treated patients' tokens; open a round."""
    _require_position(ctx, request, first=True)
    policy = effective_policy(node_policy(ctx.settings.disclosure), query.min_cell)
    refusal = pair_count_refusal(policy)
    if refusal is not None:
        raise PolicyRefusal(refusal)
    tokens, upper = _own_set(ctx, query, requester)
    key = BlindingKey.fresh()
    elements = blind_tokens(tokens, key, size=padded_size(len(set(tokens)), published_upper=upper))
    opened = ctx.rounds.open(
        key=key,
        query_digest=canonical_key(query),
        pair=_round_pair(request),
        size=len(elements),
    )
    answer = blinded_answer(elements=elements, round_id=opened.round_id)
    return orjson.dumps(answer), f"sent set sha-256={set_digest(elements)}"


def _reblind(
    ctx: NodeContext, query: MeasureQuery, request: OverlapRequest, requester: str
) -> tuple[bytes, str]:
    """Round 2 at the second node: re-blind the first node's set, blind its own, forget the key."""
    _require_position(ctx, request, first=False)
    if request.elements is None:
        raise InputError("overlap-set: required (the first node's blinded set)")
    tokens, upper = _own_set(ctx, query, requester)
    key = BlindingKey.fresh()
    reblinded = reblind(request.elements, key)
    own = blind_tokens(tokens, key, size=padded_size(len(set(tokens)), published_upper=upper))
    answer = blinded_answer(elements=own, reblinded=reblinded)
    note = (
        f"received set sha-256={set_digest(request.elements)}; "
        f"sent reblinded sha-256={set_digest(reblinded)}; sent set sha-256={set_digest(own)}"
    )
    return orjson.dumps(answer), note


def _count(
    ctx: NodeContext, query: MeasureQuery, request: OverlapRequest, _requester: str
) -> tuple[bytes, str]:
    """Round 3 at the first node: take the round's key, count, publish under the policy."""
    _require_position(ctx, request, first=True)
    if request.round_id is None:
        raise InputError("overlap-round: required")
    opened = ctx.rounds.take(
        request.round_id, query_digest=canonical_key(query), pair=_round_pair(request)
    )
    if request.reblinded is None or request.elements is None:
        raise InputError("overlap-reblinded and overlap-set: both required")
    if len(request.reblinded) != opened.size:
        raise Conflict("overlap-reblinded: not the size of the set this node sent")
    count = count_intersection(request.reblinded, request.elements, opened.key)
    policy = effective_policy(node_policy(ctx.settings.disclosure), query.min_cell)
    cell = disclose_pair_count(count, policy=policy)
    node = ctx.settings.node
    answer = MeasureAnswer(
        measure=query.measure,
        version=query.version or "",
        period_start=query.period_start,
        period_end=query.period_end,
        populations=[
            PopulationResult("overlap", total=cell, strata={"pair": {request.pair: cell}})
        ],
        policy=policy,
        country=node.country,
        node_id=node.id,
        data_as_of=data_as_of(ctx.engine),
        generated_at=datetime.fromtimestamp(ctx.clock(), UTC).isoformat(timespec="seconds"),
    )
    note = (
        f"received reblinded sha-256={set_digest(request.reblinded)}; "
        f"received set sha-256={set_digest(request.elements)}"
    )
    return orjson.dumps(to_measure_report(answer)), note


def _own_set(ctx: NodeContext, query: MeasureQuery, requester: str) -> tuple[list[bytes], int]:
    """Return this node's tokens for ``query`` and the upper bound of its published count."""
    node = ctx.settings.node
    report = answer_query(
        ctx.engine,
        query,
        requester_kid=requester,
        settings=ctx.settings.disclosure,
        max_strata=ctx.settings.limits.max_strata,
        timeout_s=ctx.settings.limits.query_timeout_s,
        data_version=data_version(ctx.engine),
        country=node.country,
        node_id=node.id,
        data_as_of=data_as_of(ctx.engine),
        rng=ctx.rng,
        clock=ctx.clock,
    )
    answer = from_measure_report(orjson.loads(report))
    treated = answer.population("treated-patients")
    bound = total_bounds(
        treated.total, answer.policy, answer.noise_scale.get("treated-patients", 0.0)
    )
    with ctx.engine.connect() as connection:
        tokens = treated_patient_tokens(connection, query)
    return tokens, bound.upper


def _require_position(ctx: NodeContext, request: OverlapRequest, *, first: bool) -> None:
    """Refuse a round meant for the other node of the pair (by the pair's country order)."""
    first_country, second_country = request.pair.split("+")
    expected = first_country if first else second_country
    if ctx.settings.node.country != expected or request.partner == ctx.settings.node.id:
        which = "first" if first else "second"
        raise PolicyRefusal(f"overlap-pair: this node is not the {which} node of {request.pair}")


def _round_pair(request: OverlapRequest) -> str:
    return f"{request.pair}|{request.partner}"


def _parse(ctx: NodeContext, body: bytes) -> tuple[MeasureQuery, OverlapRequest]:
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise InputError("body: not valid JSON (expected a FHIR Parameters resource)") from None
    query, request = parse_overlap_parameters(
        document, max_elements=ctx.settings.limits.max_overlap_elements
    )
    check_period_bounds(query.period_start, query.period_end, today=utc_today(ctx.clock))
    query = validate_query(query)
    if not load_catalogue()[query.measure].linked:
        raise InputError(f"measure: {query.measure} is not measured by private set intersection")
    policy = effective_policy(node_policy(ctx.settings.disclosure), query.min_cell)
    return replace(query, min_cell=policy.min_cell), request


def require_linkage(ctx: NodeContext) -> None:
    """Refuse the overlap measure on a node without a linkage secret: ``no linkage``."""
    if ctx.settings.node.linkage_secret is None:
        raise PolicyRefusal(NO_LINKAGE)


async def _serve_round(
    request: Request, ctx: NodeContext, verified: VerifiedRequest, action: str, work: Round
) -> Response:
    body = await request.body()
    target = "Measure/cross-border-overlap"
    try:
        require_grant(verified, "aggregate")
        ctx.rate_limiter.take(verified.peer.name)
        require_linkage(ctx)
        query, overlap = _parse(ctx, body)
        target = f"Measure/{query.measure}#{overlap.pair}"
        limit_s = ctx.settings.limits.query_timeout_s
        try:
            payload, note = await asyncio.wait_for(
                run_in_threadpool(work, ctx, query, overlap, f"peer:{verified.peer.name}"),
                limit_s + 5,
            )
        except TimeoutError:
            raise Unavailable(f"the round ran over query_timeout_s ({limit_s:g} s)") from None
    except KetanetError as error:
        await request_audit(request).refused(
            error, verified.kid, action, target, request_digest=content_digest(body)
        )
        raise
    return await _signed(request, ctx, verified, action, target, body, payload, note)


async def _signed(
    request: Request,
    ctx: NodeContext,
    verified: VerifiedRequest,
    action: str,
    target: str,
    body: bytes,
    payload: bytes,
    note: str,
) -> Response:
    headers: dict[str, Any] = sign_response(
        status=200,
        headers={"content-type": FHIR_JSON},
        body=payload,
        request=verified,
        key=ctx.signing_key,
        now=ctx.clock(),
    )
    await request_audit(request).answered(
        verified.kid,
        action,
        target,
        request_digest=content_digest(body),
        response_digest=content_digest(payload),
        reason=note,
    )
    return Response(
        content=payload,
        status_code=200,
        media_type=FHIR_JSON,
        headers={name: value for name, value in headers.items() if name.lower() != "content-type"},
    )


@router.post("/fhir/Measure/$overlap-blind")
async def overlap_blind(request: Request, ctx: ContextDep, verified: VerifiedDep) -> Response:
    """Round 1 (first node of the pair): this node's blinded, padded, sorted set and a round id."""
    return await _serve_round(request, ctx, verified, "overlap-blind", _blind)


@router.post("/fhir/Measure/$overlap-reblind")
async def overlap_reblind(request: Request, ctx: ContextDep, verified: VerifiedDep) -> Response:
    """Round 2 (second node): the first node's set re-blinded and sorted, and this node's set."""
    return await _serve_round(request, ctx, verified, "overlap-reblind", _reblind)


@router.post("/fhir/Measure/$overlap-count")
async def overlap_count(request: Request, ctx: ContextDep, verified: VerifiedDep) -> Response:
    """Round 3 (first node): the disclosure-controlled size of the intersection, signed."""
    return await _serve_round(request, ctx, verified, "overlap-count", _count)
