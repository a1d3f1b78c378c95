"""FastAPI glue: the dependency that authenticates a signed request, and the grant check.

The app must hold a ``RequestVerifier`` in ``app.state.verifier`` and install
``app.web.AuditEveryRequest``; refusals are audited here, through the request's ``RequestAudit``,
and raised as ``KetanetError`` for the app's exception handler to render as an
``OperationOutcome``; a verified request is audited by its route, with the answer. A request that
fails verification is audited under the key id it claims marked ``unverified:``; with
``app.state.stranger_limiter`` (a ``take(address)`` rate limiter), failures from one client address
beyond its rate are refused with 429 and not audited. The target URI
is rebuilt from the request as received (scheme, ``Host``, raw path, query), so behind a
TLS-terminating proxy run uvicorn with ``--proxy-headers`` for the scheme to match the node's
``public_url``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from app.errors import KetanetError, PolicyRefusal
from app.trust.digest import content_digest
from app.trust.signatures import RequestVerifier, VerifiedRequest, claimed_keyid
from app.web import request_audit


def received_url(request: Request) -> str:
    """Return the absolute URL as the client sent it (raw, still percent-encoded path)."""
    scope = request.scope
    host = request.headers.get("host")
    if not host:
        server = scope.get("server") or ("localhost", None)
        host = server[0] if server[1] is None else f"{server[0]}:{server[1]}"
    raw_path = scope.get("raw_path")
    # Starlette's ``request.url`` decodes the path; the signature covers the bytes sent. Some
    # transports put the query into raw_path too, so only its path part is used.
    path = (
        raw_path.decode("latin-1").split("?", 1)[0]
        if raw_path
        else quote(scope.get("root_path", "") + scope["path"])
    )
    query = scope.get("query_string", b"").decode("latin-1")
    return f"{scope.get('scheme', 'http')}://{host}{path}" + (f"?{query}" if query else "")


async def verified_request(request: Request) -> VerifiedRequest:
    """Return the authenticated request; raises (and audits) ``SignatureError`` 401 or ``Conflict`` 409."""
    verifier: RequestVerifier = request.app.state.verifier
    body = await request.body()
    try:
        # Off the event loop: the nonce INSERT is blocking database I/O.
        return await run_in_threadpool(
            lambda: verifier.verify(
                method=request.method,
                url=received_url(request),
                headers=request.headers,
                body=body,
            )
        )
    except KetanetError as error:
        throttle = getattr(request.app.state, "stranger_limiter", None)
        if throttle is not None:
            try:
                throttle.take(client_address(request))
            except KetanetError:
                # Over the unauthenticated rate: refused unaudited, or a stranger fills the log.
                request_audit(request).skip()
                raise
        await request_audit(request).refused(
            error,
            unverified_actor(request.headers),
            "authenticate",
            f"{request.method} {request.url.path}"[:500],
            request_digest=content_digest(body) if body else None,
        )
        raise


def unverified_actor(headers: Mapping[str, str]) -> str:
    """Return how an audit entry names a request whose signature did not verify.

    The key id it claims is marked ``unverified:``: anyone can write a peer's key id.
    """
    kid = claimed_keyid(headers)
    return f"unverified:{kid}"[:200] if kid else "unauthenticated"


def client_address(request: Request) -> str:
    """Return the client's address (the rate-limit key of unauthenticated requests)."""
    return request.client.host if request.client is not None else "unknown"


def require_grant(verified: VerifiedRequest, grant: str) -> None:
    """Refuse a peer that lacks ``grant``; raises ``PolicyRefusal`` (403)."""
    if not verified.peer.has_grant(grant):
        raise PolicyRefusal(f"peer {verified.peer.name} lacks the {grant!r} grant")


VerifiedRequestDep = Annotated[VerifiedRequest, Depends(verified_request)]
