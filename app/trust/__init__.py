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
do, and this package's ``__init__`` re-exports the core alone.
"""

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
