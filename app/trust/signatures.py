"""Signed requests (docs/signing.md): signing with the KetaNet profile and the node's verifier.

Response signing and receipts live in ``responses.py`` and are re-exported here, so callers
import the whole signature API from one module.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from app.errors import SignatureError
from app.trust.digest import content_digest, verify_content_digest
from app.trust.keys import SigningKey
from app.trust.nonces import NonceStore
from app.trust.peers import TrustedPeer, TrustStore
from app.trust.profile import (
    CONTENT_DIGEST,
    DEFAULT_LABEL,
    MAX_LIFETIME_S,
    REQUEST_TAG,
    check_algorithm,
    check_nonce,
    check_times,
    request_components,
    require_coverage,
    signature_parameters,
)
from app.trust.responses import Receipt, sign_response, verify_response
from app.trust.rfc9421 import RequestMessage, create_signature, verify_signature
from app.trust.signature_fields import combine_headers, parse_signatures, select_by_tag

__all__ = [
    "Receipt",
    "RequestVerifier",
    "VerifiedRequest",
    "check_audience",
    "claimed_keyid",
    "new_nonce",
    "sign_request",
    "sign_response",
    "verify_response",
]

_DEFAULT_PORTS = {"http": 80, "https": 443}
_PRINTABLE_KID = re.compile(r"[A-Za-z0-9_.:-]{1,128}")


def new_nonce() -> str:
    """Return a fresh nonce: 192 random bits as unpadded base64url."""
    return secrets.token_urlsafe(24)


def sign_request(
    *,
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    key: SigningKey,
    now: float,
    lifetime_s: int = MAX_LIFETIME_S,
    label: str = DEFAULT_LABEL,
    nonce: str | None = None,
) -> dict[str, str]:
    """Return the headers to add (``Content-Digest`` with a body, ``Signature-Input``, ``Signature``).

    Raises ``ValueError`` when the request cannot be signed under the profile (a body without a
    ``Content-Type``, an unencoded URL). ``lifetime_s`` over 300 is produced on request (tests
    need such signatures) but every verifier refuses it.
    """
    fields = combine_headers(headers)
    fields.pop("signature-input", None)
    fields.pop("signature", None)
    added: dict[str, str] = {}
    if body:
        if "content-type" not in fields:
            raise ValueError("a request with a body needs a Content-Type header to be signed")
        added["Content-Digest"] = fields["content-digest"] = content_digest(body)
    created = int(now)
    signed = create_signature(
        RequestMessage(method.upper(), str(url), fields),
        private_key=key.private_key,
        label=label,
        components=request_components(bool(body)),
        params=signature_parameters(
            created=created,
            key_id=key.kid,
            expires=created + lifetime_s,
            nonce=nonce if nonce is not None else new_nonce(),
            tag=REQUEST_TAG,
        ),
    )
    added["Signature-Input"] = signed.signature_input
    added["Signature"] = signed.signature
    return added


@dataclass(frozen=True)
class VerifiedRequest:
    """An authenticated request: the peer, its signature's parameters and the fields it signed."""

    peer: TrustedPeer
    kid: str
    nonce: str
    created: int
    expires: int
    label: str
    signature_input: str
    signature: str
    content_digest: str | None
    method: str
    url: str

    @property
    def headers(self) -> dict[str, str]:
        """Return the signature fields (and digest) a response binds with ``;req``."""
        fields = {"signature-input": self.signature_input, "signature": self.signature}
        if self.content_digest is not None:
            fields["content-digest"] = self.content_digest
        return fields


def check_audience(target_uri: str, audience: str) -> None:
    """Refuse a target URI outside ``audience`` (scheme, host, port, path prefix); raises ``SignatureError``."""
    refusal = SignatureError("target URI is not under this node's public URL (wrong audience)")
    try:
        target, expected = urlsplit(target_uri), urlsplit(audience)
        target_port = target.port or _DEFAULT_PORTS.get(target.scheme.lower())
        expected_port = expected.port or _DEFAULT_PORTS.get(expected.scheme.lower())
    except ValueError:
        raise refusal from None
    same_origin = (
        target.scheme.lower() == expected.scheme.lower()
        and target.hostname == expected.hostname
        and target_port == expected_port
    )
    prefix = expected.path.rstrip("/")
    # A whole-segment prefix: audience /node1 must not accept /node10/...
    if not same_origin or (
        prefix and target.path != prefix and not target.path.startswith(prefix + "/")
    ):
        raise refusal


def claimed_keyid(headers: Mapping[str, str]) -> str | None:
    """Return the keyid a request's KetaNet signature claims, or ``None`` (never raises)."""
    try:
        kid = select_by_tag(parse_signatures(headers), REQUEST_TAG).text_param("keyid")
    except SignatureError:
        return None
    # Only a plausible identifier goes to the audit log, never arbitrary peer-supplied text.
    return kid if kid is not None and _PRINTABLE_KID.fullmatch(kid) else None


class RequestVerifier:
    """Verifies signed requests for one node: trust, time, audience, digest, signature, replay."""

    def __init__(
        self,
        *,
        trust: TrustStore,
        nonces: NonceStore,
        audience: str,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.trust = trust
        self.nonces = nonces
        self.audience = audience.rstrip("/")
        self.clock = clock

    def verify(
        self, *, method: str, url: str, headers: Mapping[str, str], body: bytes
    ) -> VerifiedRequest:
        """Return the authenticated request; raises ``SignatureError`` (401) or ``Conflict`` (409, replay)."""
        now = self.clock()
        fields = combine_headers(headers)
        member = select_by_tag(parse_signatures(fields), REQUEST_TAG)
        kid = check_algorithm(member)
        created, expires = check_times(member, now)
        nonce = check_nonce(member)
        peer, public_key = self.trust.public_key(kid, now)
        require_coverage(member, request_components(bool(body)))
        check_audience(str(url), self.audience)
        if member.covers(CONTENT_DIGEST):
            if "content-digest" not in fields:
                raise SignatureError("missing Content-Digest field")
            verify_content_digest(fields["content-digest"], body)
        verify_signature(RequestMessage(method, str(url), fields), member, public_key)
        # Only a verified signature spends its nonce, so forgeries cannot burn a peer's nonces.
        self.nonces.remember(kid, nonce, expires)
        return VerifiedRequest(
            peer=peer,
            kid=kid,
            nonce=nonce,
            created=created,
            expires=expires,
            label=member.label,
            signature_input=fields["signature-input"],
            signature=fields["signature"],
            content_digest=fields.get("content-digest"),
            method=method,
            url=str(url),
        )
