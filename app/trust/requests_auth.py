"""requests glue: sign every outgoing request with the KetaNet RFC 9421 profile.

For clients built on requests (fhirclient among them): ``session.auth = SignedRequestsAuth(key)``.
Needs the ``requests`` package (``pip install 'ketanet[clients]'``); docs/clients.md shows it at
work. The httpx equivalent is ``app.trust.httpx_auth.SignedRequestAuth``.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import requests

from app.trust.keys import SigningKey
from app.trust.profile import MAX_LIFETIME_S
from app.trust.signatures import sign_request


class SignedRequestsAuth(requests.auth.AuthBase):
    """A requests auth hook adding an Ed25519 RFC 9421 signature (and digest) to each request."""

    def __init__(
        self,
        key: SigningKey,
        *,
        clock: Callable[[], float] = time.time,
        lifetime_s: int = MAX_LIFETIME_S,
    ) -> None:
        self.key = key
        self.clock = clock
        self.lifetime_s = lifetime_s
        self.signed = 0
        """How many requests this hook signed (a client's retries and pages included)."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        """Sign the prepared request as it will be sent (its final URL and body bytes)."""
        body = request.body if isinstance(request.body, bytes) else (request.body or "").encode()
        headers = sign_request(
            method=request.method or "GET",
            url=request.url or "",
            headers=dict(request.headers),
            body=body,
            key=self.key,
            now=self.clock(),
            lifetime_s=self.lifetime_s,
        )
        request.headers.update(headers)
        self.signed += 1
        return request
