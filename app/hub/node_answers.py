"""Read a node's HTTP answer to a task as a ``NodeReply``, however it reached the hub.

A push node's answer is the response to the hub's own call; a pull node's, and an answer a data
steward approved later, is the response the node uploads to ``POST /api/tasks/{id}/result``,
signed exactly as if it had answered directly. ``reply_from_answer`` reads both the same way: a
signed answer is verified against the node's pinned keys and bound to the request the hub signed
for the task, before anything in it is believed.

- ``200``: a signed MeasureReport → ``ok``, or ``invalid-report`` when it is too large, malformed
  or inconsistent with the query, the catalogue or itself (``report_checks``);
- ``202``: signed, the node's steward holds it → ``pending`` / ``awaiting-approval``;
- ``403`` signed with ``policy: denied`` → ``denied`` with the steward's reason;
- another ``4xx`` → ``refused`` with the node's reason; ``5xx`` → ``unreachable``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.config import NodeEntry
from app.errors import InputError, SignatureError
from app.exchange.answer import MeasureAnswer
from app.exchange.measure_report import from_measure_report
from app.exchange.outcomes import AWAITING_APPROVAL, approval_reference, denial_reason, outcome_text
from app.hub.replies import NodeReply, NodeStatus
from app.hub.report_checks import query_of_request, report_problem, report_size_problem
from app.trust.signature_fields import combine_headers
from app.trust.signatures import Receipt, verify_response


@dataclass(frozen=True)
class SentRequest:
    """A signed request as the hub sent it (or handed it to a pull node): what answers bind to."""

    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes


def _reply(
    node: NodeEntry,
    status: NodeStatus,
    detail: str | None = None,
    *,
    receipt: Receipt | None = None,
    answer: MeasureAnswer | None = None,
    approval_ref: str | None = None,
) -> NodeReply:
    return NodeReply(
        node_id=node.id, country=node.country, status=status, detail=detail, answer=answer,
        receipt=receipt, approval_ref=approval_ref,
    )  # fmt: skip


def reply_from_answer(
    node: NodeEntry,
    request: SentRequest,
    *,
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    keys: Mapping[str, Ed25519PublicKey],
    now: float | None,
) -> NodeReply:
    """Return the verified, parsed outcome of a node's answer (never raises for node failures)."""
    if status >= 500:
        return _reply(node, "unreachable", detail=f"HTTP {status}")
    too_large = report_size_problem(body)
    if too_large is not None:
        # Neither verified nor kept: an oversized body must not grow the hub's database.
        return _reply(node, "invalid-report", detail=too_large)
    fields = combine_headers(headers)  # once: verify_response takes them as they are
    receipt = None
    if status in (200, 202) or "signature-input" in fields:
        try:
            receipt = verify_response(
                request_method=request.method,
                request_url=request.url,
                request_headers=request.headers,
                request_body=request.body,
                status=status,
                response_headers=fields,
                response_body=body,
                keys=keys,
                now=now,
            )
        except SignatureError as error:
            return _reply(node, "bad-signature", detail=error.message)
    if status == 202:
        return _reply(
            node,
            "pending",
            detail=AWAITING_APPROVAL,
            receipt=receipt,
            approval_ref=approval_reference(body),
        )
    if status != 200:
        text = outcome_text(body, status)
        reason = denial_reason(text) if status == 403 and receipt is not None else None
        if reason is not None:
            return _reply(node, "denied", detail=reason, receipt=receipt)
        return _reply(node, "refused", detail=text, receipt=receipt)
    try:
        answer = from_measure_report(orjson.loads(body))
    except (InputError, orjson.JSONDecodeError) as error:
        return _reply(node, "invalid-report", detail=str(error)[:500], receipt=receipt)
    if answer.country and answer.country != node.country:
        return _reply(
            node, "invalid-report", detail="report country differs from the node's", receipt=receipt
        )
    problem = report_problem(answer, query_of_request(request.body))
    if problem is not None:
        return _reply(node, "invalid-report", detail=problem, receipt=receipt)
    return _reply(node, "ok", answer=answer, receipt=receipt)
