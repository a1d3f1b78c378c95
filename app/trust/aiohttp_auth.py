"""aiohttp glue: a client middleware signing every request (fhirpy's ``AsyncFHIRClient``).

``AsyncFHIRClient(url, aiohttp_config={"middlewares": (signing_middleware(key),)})``. aiohttp
comes with fhirpy; docs/clients.md shows it at work.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from app.trust.keys import SigningKey
from app.trust.profile import MAX_LIFETIME_S
from app.trust.signatures import sign_request

Handler = Callable[[Any], Awaitable[Any]]


def signing_middleware(
    key: SigningKey,
    *,
    clock: Callable[[], float] = time.time,
    lifetime_s: int = MAX_LIFETIME_S,
) -> Callable[[Any, Handler], Awaitable[Any]]:
    """Return an aiohttp client middleware adding an RFC 9421 signature to each request.

    Record-level FHIR access is read-only (GET), so the signed body is empty; a request with a
    body is refused with ``ValueError`` rather than signed wrongly.
    """

    async def sign(request: Any, handler: Handler) -> Any:
        body = getattr(request, "body", None)
        size = getattr(body, "size", 0) if body is not None else 0
        if request.method not in {"GET", "HEAD"} or size:
            raise ValueError("signing_middleware signs body-less GET requests only")
        headers = sign_request(
            method=request.method,
            url=str(request.url),
            headers=dict(request.headers),
            body=b"",
            key=key,
            now=clock(),
            lifetime_s=lifetime_s,
        )
        request.headers.update(headers)
        return await handler(request)

    return sign
