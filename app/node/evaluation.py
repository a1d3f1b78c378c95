"""A peer's query answered and signed with the node's context: one path for every delivery.

``evaluate_for_peer`` is the answer the route sends at once, the answer a pull task gets and the
answer a steward's approval makes; ``signed_headers`` signs any response (an answer, a held
request's 202, a denial's 403) bound to the request it answers, as RFC 9421 ``;req`` requires.
"""

from __future__ import annotations

from collections.abc import Mapping

from app.exchange.query import MeasureQuery
from app.node.answers import answer_query
from app.node.context import NodeContext
from app.store import data_as_of, data_version
from app.trust.responses import RequestLike
from app.trust.signatures import sign_response
from app.web import FHIR_JSON


def requester_of(peer_name: str) -> str:
    """Return the requester an answer's ledger and cache belong to: the peer, whichever key signed."""
    return f"peer:{peer_name}"


def evaluate_for_peer(ctx: NodeContext, query: MeasureQuery, peer_name: str) -> bytes:
    """Return the disclosed MeasureReport bytes for a peer's query (see ``answer_query``)."""
    node = ctx.settings.node
    return answer_query(
        ctx.engine,
        query,
        requester_kid=requester_of(peer_name),
        settings=ctx.disclosure_for(peer_name),
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


def signed_headers(
    ctx: NodeContext, *, status: int, body: bytes, request: RequestLike
) -> dict[str, str]:
    """Return the headers of a FHIR JSON response signed by the node, bound to ``request``."""
    signature = sign_response(
        status=status,
        headers={"content-type": FHIR_JSON},
        body=body,
        request=request,
        key=ctx.signing_key,
        now=ctx.clock(),
    )
    return {"content-type": FHIR_JSON, **{name.lower(): value for name, value in signature.items()}}


def response_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Return signed headers without ``content-type`` (the response sets its media type)."""
    return {name: value for name, value in headers.items() if name.lower() != "content-type"}
