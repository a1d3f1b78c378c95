"""Helpers shared by the trust tests: a settable clock, fresh keys, a one-peer trust store."""

from __future__ import annotations

from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.config import PeerConfig
from app.trust.keys import SigningKey
from app.trust.peers import TrustStore

AUDIENCE = "http://node.test:8101"
EVALUATE_URL = f"{AUDIENCE}/fhir/Measure/$evaluate-measure"
FHIR_JSON = "application/fhir+json"
QUERY_BODY = b'{"resourceType":"Parameters","parameter":[]}'
# Copies of ../shared/vectors (see its README), so the tests run from a lone checkout.
VECTORS = Path(__file__).resolve().parent / "vectors"


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
