"""Signed responses bound to their request (RFC 9421 §2.4 ``;req``) and re-verifiable receipts.

The response signature covers ``"signature-input";req;key="<label>"``: the request's own
signature member, chosen by its tag (not the whole field), so the receipt binds exactly the
signature the node verified, whatever else a proxy may have added to the request.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.errors import SignatureError
from app.trust.digest import content_digest, parse_content_digest, verify_content_digest
from app.trust.keys import SigningKey
from app.trust.profile import (
    DEFAULT_LABEL,
    MAX_LIFETIME_S,
    REQUEST_TAG,
    RESPONSE_TAG,
    check_algorithm,
    check_times,
    require_coverage,
    response_components,
    signature_parameters,
)
from app.trust.rfc9421 import (
    RequestMessage,
    ResponseMessage,
    create_signature,
    verify_signature,
)
from app.trust.signature_fields import (
    Component,
    combine_headers,
    parse_signature_fields,
    parse_signatures,
    select_by_tag,
)


class RequestLike(Protocol):
    """What response signing needs of the request: a ``VerifiedRequest`` or any HTTP request."""

    @property
    def method(self) -> str: ...

    @property
    def url(self) -> Any: ...

    @property
    def headers(self) -> Mapping[str, str]: ...


def sign_response(
    *,
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    request: RequestLike,
    key: SigningKey,
    now: float,
    label: str = DEFAULT_LABEL,
    lifetime_s: int = MAX_LIFETIME_S,
) -> dict[str, str]:
    """Return ``Content-Digest``, ``Signature-Input`` and ``Signature`` for a response to ``request``.

    Raises ``SignatureError`` when ``request`` carries no KetaNet request signature and
    ``ValueError`` when the response has no ``Content-Type``.
    """
    request_fields = combine_headers(request.headers)
    request_member = select_by_tag(parse_signatures(request_fields), REQUEST_TAG)
    fields = combine_headers(headers)
    fields.pop("signature-input", None)
    fields.pop("signature", None)
    if "content-type" not in fields:
        raise ValueError("a signed response needs a Content-Type header")
    digest = fields["content-digest"] = content_digest(body)
    message = ResponseMessage(
        status, fields, RequestMessage(request.method.upper(), str(request.url), request_fields)
    )
    created = int(now)
    signed = create_signature(
        message,
        private_key=key.private_key,
        label=label,
        components=response_components(request_member.label, "content-digest" in request_fields),
        params=signature_parameters(
            created=created, key_id=key.kid, expires=created + lifetime_s, tag=RESPONSE_TAG
        ),
    )
    return {
        "Content-Digest": digest,
        "Signature": signed.signature,
        "Signature-Input": signed.signature_input,
    }


@dataclass(frozen=True)
class Receipt:
    """A verified response with the request it answers: enough to re-verify it later, alone."""

    request_method: str
    request_url: str
    request_headers: Mapping[str, str]
    request_body_digest: str
    response_status: int
    response_headers: Mapping[str, str]
    response_body: bytes
    kid: str
    created: int
    expires: int

    def verify(self, keys: Mapping[str, Ed25519PublicKey], now: float | None = None) -> None:
        """Re-verify the stored response signature (expiry ignored when ``now`` is None); raises ``SignatureError``."""
        kid, created, expires = _verify_response_signature(
            self,
            combine_headers(self.request_headers),
            combine_headers(self.response_headers),
            keys,
            now,
        )
        if (kid, created, expires) != (self.kid, self.created, self.expires):
            raise SignatureError("receipt metadata differs from its signature")

    def to_json(self) -> dict[str, Any]:
        """Return the receipt as a JSON-ready document (the response body in base64)."""
        return {
            "request": {
                "method": self.request_method,
                "url": self.request_url,
                "headers": dict(self.request_headers),
                "body_digest": self.request_body_digest,
            },
            "response": {
                "status": self.response_status,
                "headers": dict(self.response_headers),
                "body_base64": base64.b64encode(self.response_body).decode("ascii"),
            },
            "signature": {"kid": self.kid, "created": self.created, "expires": self.expires},
        }

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> Receipt:
        """Return the receipt stored in ``document``; raises ``SignatureError`` when malformed."""
        try:
            request, response, signature = (
                document["request"],
                document["response"],
                document["signature"],
            )
            receipt = cls(
                request_method=str(request["method"]),
                request_url=str(request["url"]),
                request_headers={str(k): str(v) for k, v in request["headers"].items()},
                request_body_digest=str(request["body_digest"]),
                response_status=int(response["status"]),
                response_headers={str(k): str(v) for k, v in response["headers"].items()},
                response_body=base64.b64decode(response["body_base64"], validate=True),
                kid=str(signature["kid"]),
                created=int(signature["created"]),
                expires=int(signature["expires"]),
            )
        except (KeyError, TypeError, ValueError, AttributeError, binascii.Error):
            raise SignatureError("malformed receipt document") from None
        return receipt


def verify_response(
    *,
    request_method: str,
    request_url: str,
    request_headers: Mapping[str, str],
    request_body: bytes,
    status: int,
    response_headers: Mapping[str, str],
    response_body: bytes,
    keys: Mapping[str, Ed25519PublicKey],
    now: float | None,
) -> Receipt:
    """Return the receipt of a verified node response; raises ``SignatureError``."""
    request_fields = combine_headers(request_headers)
    if request_body or "content-digest" in request_fields:
        if "content-digest" not in request_fields:
            raise SignatureError("the request has a body but no Content-Digest")
        verify_content_digest(request_fields["content-digest"], request_body)
    fields = combine_headers(response_headers)
    draft = Receipt(
        request_method=request_method.upper(),
        request_url=str(request_url),
        request_headers=request_fields,
        request_body_digest=_body_digest(request_fields, request_body),
        response_status=status,
        response_headers=fields,
        response_body=response_body,
        kid="",
        created=0,
        expires=0,
    )
    kid, created, expires = _verify_response_signature(draft, request_fields, fields, keys, now)
    return replace(draft, kid=kid, created=created, expires=expires)


def _body_digest(request_fields: Mapping[str, str], body: bytes) -> str:
    # Stored with an algorithm the request's own Content-Digest uses, so the two can be compared.
    if "content-digest" in request_fields:
        return content_digest(
            body, next(iter(parse_content_digest(request_fields["content-digest"])))
        )
    return content_digest(body)


def _verify_response_signature(
    receipt: Receipt,
    request_fields: dict[str, str],
    fields: dict[str, str],
    keys: Mapping[str, Ed25519PublicKey],
    now: float | None,
) -> tuple[str, int, int]:
    # ``request_fields`` and ``fields``: the receipt's headers through ``combine_headers``.
    member = select_by_tag(parse_signature_fields(fields), RESPONSE_TAG)
    kid = check_algorithm(member)
    created, expires = check_times(member, now)
    public_key = keys.get(kid)
    if public_key is None:
        raise SignatureError("response signed by a key not pinned for this node")
    request_member = select_by_tag(parse_signature_fields(request_fields), REQUEST_TAG)
    has_digest = "content-digest" in request_fields
    expected = response_components(request_member.label, has_digest)
    # Either form of RFC 9421 §7.3.7 binds the request: its member (ours) or the whole field.
    if member.covers(Component.of("signature-input", req=True)):
        expected = tuple(c for c in expected if c.name != "signature-input")
    require_coverage(member, expected)
    if "content-digest" not in fields:
        raise SignatureError("missing Content-Digest field in the response")
    verify_content_digest(fields["content-digest"], receipt.response_body)
    if has_digest:
        _check_request_digest(request_fields["content-digest"], receipt.request_body_digest)
    request = RequestMessage(receipt.request_method, receipt.request_url, request_fields)
    verify_signature(ResponseMessage(receipt.response_status, fields, request), member, public_key)
    return kid, created, expires


def _check_request_digest(field: str, body_digest: str) -> None:
    # The stored body digest must be what the request's (signed) Content-Digest says.
    stored = parse_content_digest(body_digest)
    sent = parse_content_digest(field)
    common = stored.keys() & sent.keys()
    if not common or any(stored[name] != sent[name] for name in common):
        raise SignatureError("request body digest differs from the request's Content-Digest")
