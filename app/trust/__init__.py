"""The trust layer: Ed25519 keys, RFC 9421 signed requests and responses, replay store, audit log.

Where things live::

    keys.py              key pairs, JWKs, RFC 7638 key ids
    digest.py            RFC 9530 Content-Digest
    signature_fields.py  component identifiers, Signature-Input / Signature parsing
    rfc9421.py           messages, component values, the signature base
    profile.py           the KetaNet profile: tags, lifetimes, covered components
    signatures.py        sign_request, RequestVerifier (+ the response API re-exported)
    responses.py         sign_response, verify_response, Receipt
    peers.py             TrustStore of pinned peers, grants, validity, revocation
    nonces.py            NonceStore (replay protection in the database)
    audit.py             AuditLog: hash chain, signed checkpoints
    tables.py            the SQLAlchemy tables of all of the above
    httpx_auth.py        httpx glue (client side)
    aiohttp_auth.py      aiohttp glue (client side: the hub's fan-out, fhirpy)
    fastapi_auth.py      FastAPI glue (node side)

The core modules import neither FastAPI, Starlette, httpx, aiohttp nor Typer; only the glue modules
do, and this package's ``__init__`` re-exports the core alone, each name imported on first use:
a program that needs only ``tables`` (a store's migrations, an ingest) loads no signing code.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.trust.audit import AuditEntry, AuditLog, AuditVerification, verify_checkpoint
    from app.trust.digest import content_digest, verify_content_digest
    from app.trust.keys import (
        SigningKey,
        jwk_thumbprint,
        jwks_document,
        load_signing_key,
        public_key_from_jwk,
        write_key_pair,
    )
    from app.trust.nonces import NonceStore
    from app.trust.peers import TrustedPeer, TrustStore
    from app.trust.signatures import (
        Receipt,
        RequestVerifier,
        VerifiedRequest,
        sign_request,
        sign_response,
        verify_response,
    )
    from app.trust.tables import trust_metadata

_EXPORTS = {
    "AuditEntry": "app.trust.audit",
    "AuditLog": "app.trust.audit",
    "AuditVerification": "app.trust.audit",
    "content_digest": "app.trust.digest",
    "jwk_thumbprint": "app.trust.keys",
    "jwks_document": "app.trust.keys",
    "load_signing_key": "app.trust.keys",
    "NonceStore": "app.trust.nonces",
    "public_key_from_jwk": "app.trust.keys",
    "Receipt": "app.trust.signatures",
    "RequestVerifier": "app.trust.signatures",
    "sign_request": "app.trust.signatures",
    "sign_response": "app.trust.signatures",
    "SigningKey": "app.trust.keys",
    "trust_metadata": "app.trust.tables",
    "TrustedPeer": "app.trust.peers",
    "TrustStore": "app.trust.peers",
    "VerifiedRequest": "app.trust.signatures",
    "verify_checkpoint": "app.trust.audit",
    "verify_content_digest": "app.trust.digest",
    "verify_response": "app.trust.signatures",
    "write_key_pair": "app.trust.keys",
}
"""Each re-exported name and the module it lives in."""

__all__ = [
    "AuditEntry",
    "AuditLog",
    "AuditVerification",
    "NonceStore",
    "Receipt",
    "RequestVerifier",
    "SigningKey",
    "TrustStore",
    "TrustedPeer",
    "VerifiedRequest",
    "content_digest",
    "jwk_thumbprint",
    "jwks_document",
    "load_signing_key",
    "public_key_from_jwk",
    "sign_request",
    "sign_response",
    "trust_metadata",
    "verify_checkpoint",
    "verify_content_digest",
    "verify_response",
    "write_key_pair",
]


def __getattr__(name: str) -> object:
    """Import a re-exported name on first use (PEP 562); later uses find it in the module."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
