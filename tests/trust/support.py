"""Helpers shared by the trust tests: a settable clock, fresh keys, a one-peer trust store."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Engine

from app.config import PeerConfig
from app.trust.keys import SigningKey
from app.trust.nonces import NonceStore
from app.trust.peers import TrustStore
from app.trust.signatures import RequestVerifier, VerifiedRequest, sign_request

AUDIENCE = "http://node.test:8101"
EVALUATE_URL = f"{AUDIENCE}/fhir/Measure/$evaluate-measure"
FHIR_JSON = "application/fhir+json"
QUERY_BODY = b'{"resourceType":"Parameters","parameter":[]}'
# Copies of the published RFC 9421/9530 and Wycheproof test vectors (see vectors/README), kept in
# the repository so the tests run from a lone checkout.
VECTORS = Path(__file__).resolve().parent / "vectors"
BASE_HEADERS = {"Content-Type": FHIR_JSON}


class FakeClock:
    """A clock the test moves by hand (epoch seconds)."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def new_key() -> SigningKey:
    return SigningKey.from_private_key(Ed25519PrivateKey.generate())


def trust_store_for(key: SigningKey, **peer: object) -> TrustStore:
    config = PeerConfig.model_validate(
        {"name": "hub", "jwks": [key.public_jwk()], "grants": ["aggregate"], **peer}
    )
    return TrustStore.from_peer_configs([config])


def verifier_for(
    engine: Engine, clock: FakeClock, key: SigningKey, **peer: object
) -> RequestVerifier:
    """A node verifier trusting ``key`` as peer "hub" (``peer`` overrides its config)."""
    store = trust_store_for(key, **peer)
    return RequestVerifier(trust=store, nonces=NonceStore(engine), audience=AUDIENCE, clock=clock)


def signed_headers(
    key: SigningKey,
    now: float,
    *,
    url: str = EVALUATE_URL,
    body: bytes = QUERY_BODY,
    method: str = "POST",
    **options: Any,
) -> dict[str, str]:
    """The full headers of a request signed by ``key`` at ``now``."""
    headers = dict(BASE_HEADERS) if body else {}
    headers.update(
        sign_request(
            method=method, url=url, headers=headers, body=body, key=key, now=now, **options
        )
    )
    return headers


def verify(
    verifier: RequestVerifier,
    headers: Mapping[str, str],
    *,
    url: str = EVALUATE_URL,
    body: bytes = QUERY_BODY,
    method: str = "POST",
) -> VerifiedRequest:
    """Verify a POST (by default) to the evaluate-measure URL."""
    return verifier.verify(method=method, url=url, headers=headers, body=body)
