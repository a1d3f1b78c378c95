"""ASGI middleware refusing request bodies larger than ``max_body_bytes`` (413).

Paths starting with a prefix of ``path_limits`` get that prefix's limit instead (the overlap
exchange's blinded sets are larger than any query).
"""

from __future__ import annotations

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import PayloadTooLarge


class BodyLimitMiddleware:
    """Refuse a body over the limit, by its Content-Length or while it streams in."""

    def __init__(
        self, app: ASGIApp, *, max_body_bytes: int, path_limits: dict[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.path_limits = dict(path_limits or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_body_bytes
        path = scope.get("path", "")
        for prefix, larger in self.path_limits.items():
            if prefix in path:  # under any mount prefix of the node's public URL
                limit = larger
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                await _send_too_large(send, limit)
                return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise PayloadTooLarge(f"request body over max_body_bytes ({limit} bytes)")
            return message

        await self.app(scope, limited_receive, send)


async def _send_too_large(send: Send, limit: int) -> None:
    body = orjson.dumps(
        PayloadTooLarge(f"request body over max_body_bytes ({limit} bytes)").operation_outcome()
    )
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/fhir+json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
