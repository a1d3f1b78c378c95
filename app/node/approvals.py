"""Data-steward approval: hold a verified request, then answer or deny it when the steward decides.

``[approval]`` in node.toml says per measure whether a request is answered at once (``auto``),
held for the steward (``manual``) or refused (``deny``, a signed 403 ``policy: denied``). A held
request has passed every check a request passes (signature, audience, replay, grant, validation);
it is kept with its signature (``app.store.approvals``) and answered ``202`` with an
informational outcome naming its approval id. The steward's ``approve`` evaluates it then (data
as of then) and signs the answer bound to the original request, exactly as if answered at once;
``deny`` signs a 403 with the steward's reason. Every decision is an audit entry. The answer goes
to the hub's task (``delivery``) in both delivery modes. An approval after the task's end (named
in the hub-signed target URI) is refused as ``expired``. Docs: docs/governance.md.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from app.errors import Conflict, KetanetError, NotFound, PolicyRefusal
from app.exchange.outcomes import denial_outcome, held_outcome
from app.exchange.query import MeasureQuery, parse_parameters
from app.node.context import NodeContext
from app.node.evaluation import evaluate_for_peer, signed_headers
from app.store.approvals import HeldRequest, decide, held_request, held_requests, hold_request
from app.trust.audit import iso_utc
from app.trust.digest import content_digest
from app.trust.signatures import VerifiedRequest
from app.web import FHIR_JSON


@dataclass(frozen=True)
class SignedAnswer:
    """A response as the node signs it: status, headers (signature included) and body."""

    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class OriginalRequest:
    """A held request's signed parts, which its later answer binds to (a ``RequestLike``)."""

    method: str
    url: str
    headers: Mapping[str, str]


def query_summary(query: MeasureQuery) -> dict[str, Any]:
    """Return what the steward is shown of a query: measure, period, filters, strata, parameters."""
    return {
        "measure": query.measure,
        "period": {"start": query.period_start.isoformat(), "end": query.period_end.isoformat()},
        "filters": {key: list(values) for key, values in query.filters.items()},
        "stratify": list(query.stratify),
        "parameters": dict(query.parameters),
    }


def hold(
    ctx: NodeContext,
    verified: VerifiedRequest,
    *,
    body: bytes,
    query: MeasureQuery,
    task: tuple[str, int],
) -> tuple[str, SignedAnswer]:
    """Keep a verified request for the steward; return its approval id and the signed 202."""
    task_id, task_expires_s = task
    with ctx.engine.begin() as connection:
        held = hold_request(
            connection,
            approval_id=secrets.token_hex(5),
            task_id=task_id,
            task_expires_s=task_expires_s,
            peer=verified.peer.name,
            kid=verified.kid,
            measure=query.measure,
            query=query_summary(query),
            request_method=verified.method,
            request_url=verified.url,
            request_headers=dict(verified.headers),
            request_body=body,
            request_digest=content_digest(body),
            received_at=iso_utc(ctx.clock()),
        )
    return held.id, _signed(ctx, 202, held_outcome(held.id, task_id), verified)


def refuse_by_policy(ctx: NodeContext, verified: VerifiedRequest) -> SignedAnswer:
    """Return the signed 403 ``policy: denied`` for a measure the node's policy denies."""
    return _signed(ctx, 403, denial_outcome(None), verified)


def pending(ctx: NodeContext) -> list[HeldRequest]:
    """Return the requests waiting for the steward, oldest first."""
    with ctx.engine.connect() as connection:
        return held_requests(connection)


def approve(ctx: NodeContext, approval_id: str, *, by: str, note: str | None) -> HeldRequest:
    """Answer a held request now and record the decision; return it as decided.

    Raises ``NotFound`` (no such approval), ``Conflict`` (decided already) and ``PolicyRefusal``
    (``expired``: the task's lifetime has ended; recorded as such).
    """
    held = _pending_or_raise(ctx, approval_id, by=by)
    request = OriginalRequest(held.request_method, held.request_url, held.request_headers)
    try:
        query = parse_parameters(orjson.loads(held.request_body))
        answer = _signed_bytes(ctx, 200, evaluate_for_peer(ctx, query, held.peer), request)
    except KetanetError as error:
        # The answer the node would have sent at once: an unsigned error outcome, as for push.
        body = orjson.dumps(error.operation_outcome())
        answer = SignedAnswer(error.http_status, {"content-type": FHIR_JSON}, body)
    return _decide(ctx, held, "approved", by=by, note=note, answer=answer)


def deny(ctx: NodeContext, approval_id: str, *, by: str, reason: str) -> HeldRequest:
    """Deny a held request with the steward's reason (a signed 403); return it as decided.

    Raises ``NotFound``, ``Conflict`` and ``PolicyRefusal`` as ``approve`` does.
    """
    held = _pending_or_raise(ctx, approval_id, by=by)
    request = OriginalRequest(held.request_method, held.request_url, held.request_headers)
    answer = _signed_bytes(ctx, 403, orjson.dumps(denial_outcome(reason)), request)
    return _decide(ctx, held, "denied", by=by, note=reason, answer=answer)


def _pending_or_raise(ctx: NodeContext, approval_id: str, *, by: str) -> HeldRequest:
    with ctx.engine.connect() as connection:
        held = held_request(connection, approval_id)
    if held is None:
        raise NotFound(f"approval {approval_id}: no such approval")
    if held.status != "pending":
        raise Conflict(f"approval {approval_id} is {held.status} already")
    if ctx.clock() > held.task_expires_s:
        _decide(ctx, held, "expired", by=by, note="the task's lifetime has ended", answer=None)
        raise PolicyRefusal(
            f"approval {approval_id}: expired (the hub's task ended at "
            f"{iso_utc(held.task_expires_s)})"
        )
    return held


def _decide(
    ctx: NodeContext,
    held: HeldRequest,
    status: str,
    *,
    by: str,
    note: str | None,
    answer: SignedAnswer | None,
) -> HeldRequest:
    now = iso_utc(ctx.clock())
    with ctx.engine.begin() as connection:
        changed = decide(
            connection, held.id, status=status, decided_by=by, decided_at=now, note=note,
            response_status=answer.status if answer else None,
            response_headers=answer.headers if answer else None,
            response_body=answer.body if answer else None,
        )  # fmt: skip
        if not changed:
            raise Conflict(f"approval {held.id} was decided meanwhile")
        decided = held_request(connection, held.id)
    ctx.audit.append(
        actor=by,
        action="approval",
        target=f"approval/{held.id} Measure/{held.measure} task/{held.task_id}"[:500],
        decision=status,
        reason=note,
        request_digest=held.request_digest,
        response_digest=content_digest(answer.body) if answer else None,
    )
    if decided is None:
        raise NotFound(f"approval {held.id}: no such approval")
    return decided


def _signed(
    ctx: NodeContext, status: int, outcome: dict[str, Any], request: VerifiedRequest
) -> SignedAnswer:
    return _signed_bytes(ctx, status, orjson.dumps(outcome), request)


def _signed_bytes(
    ctx: NodeContext, status: int, body: bytes, request: VerifiedRequest | OriginalRequest
) -> SignedAnswer:
    headers = signed_headers(ctx, status=status, body=body, request=request)
    return SignedAnswer(status, headers, body)
