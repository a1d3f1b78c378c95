"""aiohttp glue: sign a request for an aiohttp ``ClientSession``, or every request of fhirpy's client.

- ``signed_request(...)`` returns the URL to send (encoded once, so aiohttp sends exactly what
  was signed) and the headers to send with it; the hub's fan-out signs each attempt this way.
- ``signing_middleware(key)``: a client middleware for body-less GETs, e.g. fhirpy's
  ``AsyncFHIRClient(url, aiohttp_config={"middlewares": (signing_middleware(key),)})``; aiohttp
  comes with fhirpy; docs/clients.md shows it at work.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import quote, urlsplit

from yarl import URL

from app.trust.keys import SigningKey
from app.trust.profile import DEFAULT_LABEL, MAX_LIFETIME_S
from app.trust.signatures import sign_request

Handler = Callable[[Any], Awaitable[Any]]

_URI_SAFE = "/?&=%:@!$'()*+,;~-._"
"""Characters RFC 3986 allows unencoded in a path and query (``%`` keeps existing escapes)."""


def signed_request(
    method: str,
    url: str,
    *,
    headers: Mapping[str, str],
    body: bytes,
    key: SigningKey,
    now: float,
    lifetime_s: int = MAX_LIFETIME_S,
    label: str = DEFAULT_LABEL,
) -> tuple[URL, dict[str, str]]:
    """Return the URL to send and ``headers`` with the signature fields added (fresh nonce).

    The URL is marked encoded, so aiohttp (yarl) sends the signed target URI byte for byte;
    characters a URI may not hold unencoded (a FHIR token's ``|``) are encoded first. Raises
    ``ValueError`` when the request cannot be signed (a body without a ``Content-Type``).
    """
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    encoded = quote(target, safe=_URI_SAFE)
    if encoded != target:
        url = f"{parts.scheme}://{parts.netloc}{encoded}"
    added = sign_request(
        method=method,
        url=url,
        headers=headers,
        body=body,
        key=key,
        now=now,
        lifetime_s=lifetime_s,
        label=label,
    )
    return URL(url, encoded=True), {**headers, **added}


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
