"""Web glue shared by the node and the hub: JSON responses, one error renderer, one audit glue.

- ``OrjsonResponse`` renders plain dicts with orjson; ``fhir_json`` the same as FHIR JSON.
- ``install_error_handlers`` makes every error of an app an ``OperationOutcome`` with its status:
  a domain error, an unknown path (404), a method not allowed (405), a request that fails
  FastAPI's validation (400) and an unexpected exception (500, never a trace).
- ``AuditEveryRequest`` appends one audit entry for every request. A route or dependency that
  knows more (the peer's key id, the answer's digest) writes its own entry with ``audit_request``
  or ``audit_refusal``; the middleware then sees that the request is audited and adds nothing.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

import orjson
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response

from app.errors import InputError, KetanetError, MethodNotAllowed, NotFound

FHIR_JSON = "application/fhir+json"
log = logging.getLogger("ketanet.web")


class OrjsonResponse(Response):
    """A JSON response serialised with orjson (plain dicts, ~100× faster than FHIR models)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        """Return ``content`` as JSON bytes."""
        return orjson.dumps(content)


def fhir_json(
    content: Any, status_code: int = 200, headers: dict[str, str] | None = None
) -> OrjsonResponse:
    """Return ``content`` as ``application/fhir+json``."""
    return OrjsonResponse(content, status_code=status_code, media_type=FHIR_JSON, headers=headers)


def install_error_handlers(app: FastAPI, *, media_type: str = "application/json") -> None:
    """Render every error ``app`` raises as an ``OperationOutcome`` of ``media_type``."""

    def outcome(error: KetanetError, status_code: int | None = None) -> Response:
        return OrjsonResponse(
            error.operation_outcome(),
            status_code=status_code or error.http_status,
            media_type=media_type,
            headers=error.headers(),
        )

    @app.exception_handler(KetanetError)
    async def _domain_error(_request: Request, error: KetanetError) -> Response:
        return outcome(error)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, error: RequestValidationError) -> Response:
        first = error.errors()[0] if error.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(part) for part in first.get("loc", ()))
        return outcome(InputError(f"{where}: {first.get('msg')}"))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, error: StarletteHTTPException) -> Response:
        if error.status_code == 404:
            return outcome(NotFound("no such endpoint"))
        if error.status_code == 405:
            allowed = (error.headers or {}).get("Allow")
            return outcome(MethodNotAllowed("method not allowed here", allowed=allowed))
        return outcome(KetanetError(str(error.detail)), status_code=error.status_code)

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, error: Exception) -> Response:
        # Never a stack trace or a value to the client; the log keeps the type only.
        log.error("internal error: %s", type(error).__name__)
        return outcome(KetanetError("internal error"))


class AuditSink(Protocol):
    """Where audit entries go (``app.trust.audit.AuditLog``)."""

    def append(
        self,
        *,
        actor: str,
        action: str,
        target: str,
        decision: str,
        reason: str | None = None,
        request_digest: str | None = None,
        response_digest: str | None = None,
    ) -> Any:
        """Append one entry."""


_AUDITED = "ketanet.audited"
"""Key of the ASGI scope: present once the request's own audit entry is written."""


def audit_request(
    connection: HTTPConnection,
    audit: AuditSink,
    *,
    actor: str,
    action: str,
    target: str,
    decision: str,
    reason: str | None = None,
    request_digest: str | None = None,
    response_digest: str | None = None,
) -> None:
    """Append this request's audit entry (blocking I/O: call it in a thread from async code)."""
    audit.append(
        actor=actor,
        action=action,
        target=target,
        decision=decision,
        reason=reason,
        request_digest=request_digest,
        response_digest=response_digest,
    )
    connection.scope[_AUDITED] = True


def audit_refusal(
    connection: HTTPConnection,
    audit: AuditSink,
    *,
    actor: str,
    action: str,
    target: str,
    error: KetanetError,
    request_digest: str | None = None,
) -> None:
    """Append this request's refusal (status and rule) to the audit log; see ``audit_request``."""
    audit_request(
        connection,
        audit,
        actor=actor,
        action=action,
        target=target,
        decision="refused",
        reason=f"{error.http_status}: {error.message}",
        request_digest=request_digest,
    )


class AuditEveryRequest:
    """ASGI middleware appending an audit entry for every request that did not write its own.

    Routes that audit with their own detail use ``audit_request``/``audit_refusal``; this catches
    the rest (public metadata, 404s, 413s, unexpected errors), so the audit log holds every request
    the service handled, each once.
    """

    def __init__(self, app: Any, *, audit: AuditSink, actor_of: Any) -> None:
        self.app = app
        self.audit = audit
        self.actor_of = actor_of

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = {"code": 500}

        async def capture(message: Any) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            if not scope.get(_AUDITED):
                headers = {
                    k.decode("latin-1").lower(): v.decode("latin-1")
                    for k, v in scope.get("headers", [])
                }
                await run_in_threadpool(
                    self.audit.append,
                    actor=self.actor_of(headers),
                    action=f"{scope['method']} {scope['path']}"[:200],
                    target=scope["path"][:500],
                    decision="answered" if status["code"] < 400 else "refused",
                    reason=None if status["code"] < 400 else f"HTTP {status['code']}",
                )
