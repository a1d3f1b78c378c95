"""The KetaNet signature profile (docs/signing.md): tags, limits and the checks both sides share."""

from __future__ import annotations

import re
from collections.abc import Iterable

from app.errors import SignatureError
from app.trust.signature_fields import Component, ParamValue, SignatureMember

ALG = "ed25519"
REQUEST_TAG = "ketanet-request"
RESPONSE_TAG = "ketanet-response"
DEFAULT_LABEL = "ketanet"
MAX_LIFETIME_S = 300
MAX_FUTURE_SKEW_S = 60
# At least 128 bits: 22 base64url characters carry 132 bits; the cap keeps the nonce table small.
NONCE_PATTERN = re.compile(r"[A-Za-z0-9_-]{22,128}")

METHOD = Component.of("@method")
TARGET_URI = Component.of("@target-uri")
CONTENT_TYPE = Component.of("content-type")
CONTENT_DIGEST = Component.of("content-digest")
STATUS = Component.of("@status")
REQ_METHOD = Component.of("@method", req=True)
REQ_TARGET_URI = Component.of("@target-uri", req=True)
REQ_CONTENT_DIGEST = Component.of("content-digest", req=True)


def request_components(has_body: bool) -> tuple[Component, ...]:
    """Return the components a request signature covers (with or without a body)."""
    if has_body:
        return (METHOD, TARGET_URI, CONTENT_TYPE, CONTENT_DIGEST)
    return (METHOD, TARGET_URI)


def response_components(request_label: str, request_has_digest: bool) -> tuple[Component, ...]:
    """Return the components a response signature covers, the request's bound with ``;req``."""
    bound = [REQ_METHOD, REQ_TARGET_URI]
    if request_has_digest:
        bound.append(REQ_CONTENT_DIGEST)
    # The request's own member (RFC 9421 §2.1.2 ``key``), not the whole field: other signatures
    # a proxy may add to the request are no business of the receipt.
    bound.append(Component.of("signature-input", req=True, key=request_label))
    return (STATUS, CONTENT_TYPE, CONTENT_DIGEST, *bound)


def require_coverage(member: SignatureMember, components: Iterable[Component]) -> None:
    """Refuse a signature that does not cover every one of ``components``; raises ``SignatureError``."""
    for component in components:
        if not member.covers(component):
            raise SignatureError(f"signature does not cover {component}")


KNOWN_PARAMETERS = frozenset({"created", "expires", "nonce", "alg", "keyid", "tag"})


def check_algorithm(member: SignatureMember) -> str:
    """Return the signature's key id after checking ``alg`` and the parameters; raises ``SignatureError``."""
    if not KNOWN_PARAMETERS.issuperset(member.params):
        raise SignatureError("unknown signature parameter")
    alg = member.text_param("alg")
    if alg is None:
        raise SignatureError("missing alg parameter")
    if alg != ALG:
        raise SignatureError(f"alg must be {ALG}")
    key_id = member.text_param("keyid")
    if not key_id:
        raise SignatureError("missing keyid parameter")
    return key_id


def signature_parameters(
    *, created: int, key_id: str, expires: int, tag: str, nonce: str | None = None
) -> dict[str, ParamValue]:
    """Return the profile's signature parameters, in the order they are written."""
    params: dict[str, ParamValue] = {"created": created, "keyid": key_id, "alg": ALG}
    params["expires"] = expires
    if nonce is not None:
        params["nonce"] = nonce
    params["tag"] = tag
    return params


def check_times(member: SignatureMember, now: float | None) -> tuple[int, int]:
    """Return ``(created, expires)`` after the profile's time rules; raises ``SignatureError``.

    ``now=None`` skips the rules that depend on the present (re-verifying an old receipt) but
    keeps the lifetime limit, which is a property of the signature itself.
    """
    created, expires = member.int_param("created"), member.int_param("expires")
    if created is None:
        raise SignatureError("missing created parameter")
    if expires is None:
        raise SignatureError("missing expires parameter")
    if expires < created:
        raise SignatureError("expires is before created")
    if expires - created > MAX_LIFETIME_S:
        raise SignatureError(f"signature lifetime over {MAX_LIFETIME_S} s")
    if now is not None:
        if created > now + MAX_FUTURE_SKEW_S:
            raise SignatureError(f"created more than {MAX_FUTURE_SKEW_S} s in the future")
        if now > expires:
            raise SignatureError("signature expired")
    return created, expires


def check_nonce(member: SignatureMember) -> str:
    """Return the signature's nonce; raises ``SignatureError`` when missing or under 128 bits."""
    nonce = member.text_param("nonce")
    if nonce is None:
        raise SignatureError("missing nonce parameter")
    if not NONCE_PATTERN.fullmatch(nonce):
        raise SignatureError("nonce must be 22 to 128 base64url characters (at least 128 bits)")
    return nonce
