"""Web glue shared by the node and the hub: JSON responses, one error renderer, one audit glue.

- ``OrjsonResponse`` renders plain dicts with orjson; ``fhir_json`` the same as FHIR JSON.
- ``install_error_handlers`` makes every error of an app an ``OperationOutcome`` with its status:
  a domain error, an unknown path (404), a method not allowed (405), a request that fails
  FastAPI's validation (400) and an unexpected exception (500, never a trace).
- ``AuditEveryRequest`` gives every request one audit entry: a route or dependency that knows
  more (the peer's key id, the answer's digest) writes it through the request's ``RequestAudit``
  (``request_audit(request).answered(...)`` or ``.refused(...)``); otherwise the middleware does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

import orjson
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response

from app.errors import InputError, KetanetError, NotFound

FHIR_JSON = "application/fhir+json"
log = logging.getLogger("ketanet.web")


class OrjsonResponse(JSONResponse):
    """A JSON response serialised with orjson (plain dicts, ~100× faster than FHIR models).

    A ``JSONResponse`` so that FastAPI documents the routes' response models in OpenAPI.
    """

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

    def outcome(
        error: KetanetError,
        status_code: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        return OrjsonResponse(
            error.operation_outcome(),
            status_code=status_code or error.http_status,
            media_type=media_type,
            headers={**error.headers(), **(headers or {})},
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
        # e.g. 405 Method Not Allowed, keeping its Allow header
        return outcome(KetanetError(str(error.detail)), error.status_code, error.headers)

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, error: Exception) -> Response:
        # Never a stack trace or a value to the client; the log keeps the type only.
        log.error("internal error: %s", type(error).__name__)
        return outcome(KetanetError("internal error"))


_REQUEST_AUDIT = "ketanet.request_audit"
"""Key of the ASGI scope under which ``AuditEveryRequest`` keeps each request's ``RequestAudit``."""


class RequestAudit:
    """The audit entry of one HTTP request, written once by whoever knows most about it."""

    def __init__(self, append: Callable[..., object]) -> None:
        self._append = append
        self.written = False

    async def answered(
        self,
        actor: str,
        action: str,
        target: str,
        *,
        request_digest: str | None = None,
        response_digest: str | None = None,
        reason: str | None = None,
    ) -> None:
        """Write the entry of an answered request (the database write runs off the event loop).

        ``reason`` may say more about what was answered (e.g. digests of blinded sets).
        """
        await self._write(
            actor=actor, action=action, target=target, decision="answered", reason=reason,
            request_digest=request_digest, response_digest=response_digest,
        )  # fmt: skip

    async def held(
        self, actor: str, action: str, target: str, *, reason: str, request_digest: str
    ) -> None:
        """Write the entry of a request held for the data steward (answered later, or denied)."""
        await self._write(
            actor=actor, action=action, target=target, decision="held", reason=reason,
            request_digest=request_digest,
        )  # fmt: skip

    async def refused(
        self,
        error: KetanetError,
        actor: str,
        action: str,
        target: str,
        *,
        request_digest: str | None = None,
    ) -> None:
        """Write the entry of a refused request: the error's status and rule."""
        await self._write(
            actor=actor, action=action, target=target, decision="refused",
            reason=f"{error.http_status}: {error.message}", request_digest=request_digest,
        )  # fmt: skip

    def skip(self) -> None:
        """Write no entry for this request (a throttled unauthenticated one)."""
        self.written = True

    async def _write(self, **entry: str | None) -> None:
        await run_in_threadpool(self._append, **entry)
        self.written = True


def request_audit(connection: HTTPConnection) -> RequestAudit:
    """Return the audit of this request; raises ``RuntimeError`` without ``AuditEveryRequest``."""
    audit = connection.scope.get(_REQUEST_AUDIT)
    if not isinstance(audit, RequestAudit):
        raise RuntimeError("the app does not install AuditEveryRequest")
    return audit


class AuditEveryRequest:
    """ASGI middleware giving every request one audit entry.

    Each request gets a ``RequestAudit`` (``request_audit(request)``): a route or dependency that
    knows more (the peer's key id, the answer's digest) writes the entry through it. For the rest
    (public metadata, 404s, 413s, unexpected errors) this writes a plain one from the method, path
    and status, so the audit log holds every request the service handled, each once.
    """

    def __init__(
        self, app: Any, *, append: Callable[..., object], actor_of: Callable[[dict[str, str]], str]
    ) -> None:
        self.app = app
        self.append = append
        self.actor_of = actor_of

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        audit = scope[_REQUEST_AUDIT] = RequestAudit(self.append)
        status = {"code": 500}

        async def capture(message: Any) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            if not audit.written:
                headers = {
                    k.decode("latin-1").lower(): v.decode("latin-1")
                    for k, v in scope.get("headers", [])
                }
                await run_in_threadpool(
                    self.append,
                    actor=self.actor_of(headers),
                    action=f"{scope['method']} {scope['path']}"[:200],
                    target=scope["path"][:500],
                    decision="answered" if status["code"] < 400 else "refused",
                    reason=None if status["code"] < 400 else f"HTTP {status['code']}",
                )
