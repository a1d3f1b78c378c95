"""httpx glue: sign every outgoing request, and verify a node's signed response."""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Mapping
from urllib.parse import quote

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.trust.keys import SigningKey
from app.trust.profile import DEFAULT_LABEL, MAX_LIFETIME_S
from app.trust.signatures import Receipt, sign_request, verify_response

_URI_SAFE = "/?&=%:@!$'()*+,;~-._"
"""Characters RFC 3986 allows unencoded in a path and query (``%`` keeps existing escapes)."""


class SignedRequestAuth(httpx.Auth):
    """An ``httpx.Auth`` (sync and async) adding RFC 9421 signatures with the KetaNet profile."""

    # httpx reads a streamed body before calling auth_flow, so the digest covers the real bytes.
    requires_request_body = True

    def __init__(
        self,
        key: SigningKey,
        *,
        clock: Callable[[], float] = time.time,
        lifetime_s: int = MAX_LIFETIME_S,
        label: str = DEFAULT_LABEL,
        nonce_factory: Callable[[], str] | None = None,
    ) -> None:
        self.key = key
        self.clock = clock
        self.lifetime_s = lifetime_s
        self.label = label
        self.nonce_factory = nonce_factory

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Sign ``request`` in place and send it; raises ``ValueError`` if it cannot be signed."""
        # A retry re-enters here, so every attempt gets a fresh created time and nonce.
        # httpx sends some characters unencoded (a FHIR token's `|`); the target URI we sign must
        # be a valid URI, and it is what the server receives, so encode them first.
        raw = request.url.raw_path.decode("ascii")
        encoded = quote(raw, safe=_URI_SAFE)
        if encoded != raw:
            request.url = request.url.copy_with(raw_path=encoded.encode("ascii"))
        added = sign_request(
            method=request.method,
            url=str(request.url),
            headers=request.headers,
            body=request.content,
            key=self.key,
            now=self.clock(),
            lifetime_s=self.lifetime_s,
            label=self.label,
            nonce=self.nonce_factory() if self.nonce_factory is not None else None,
        )
        request.headers.update(added)
        yield request


def verify_httpx_response(
    response: httpx.Response,
    keys: Mapping[str, Ed25519PublicKey],
    *,
    now: float | None,
) -> Receipt:
    """Return the receipt of a signed node response read with httpx; raises ``SignatureError``."""
    request = response.request
    return verify_response(
        request_method=request.method,
        request_url=str(request.url),
        request_headers=request.headers,
        request_body=request.content,
        status=response.status_code,
        response_headers=response.headers,
        response_body=response.content,
        keys=keys,
        now=now,
    )
