"""The hub's trust in its nodes: their pinned keys verify the requests nodes send the hub.

Pull nodes fetch tasks and every node may deliver an answer later (``/api/tasks``); such
requests are signed like the hub's own (docs/signing.md), for the hub's ``public_url``. The peer a
verified request names is the node's id. The same pinned keys verify the nodes' answers.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Mapping
from types import MappingProxyType

import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Engine

from app.config import HubSettings, NodeEntry
from app.trust.keys import jwk_thumbprint, public_key_from_jwk
from app.trust.nonces import NonceStore
from app.trust.peers import TrustedPeer, TrustStore
from app.trust.signatures import RequestVerifier

NODE_GRANT = "tasks"


def pinned_keys(node: NodeEntry) -> dict[str, Ed25519PublicKey]:
    """Return the node's pinned public keys by key id (RFC 7638 thumbprint); raises ``ConfigError``."""
    return dict(_keys_of(orjson.dumps(node.jwks, option=orjson.OPT_SORT_KEYS)))


@functools.lru_cache(maxsize=256)
def _keys_of(jwks_json: bytes) -> Mapping[str, Ed25519PublicKey]:
    # Keyed by the JWKs' canonical JSON, so an edited configuration is never served stale keys;
    # a bad JWK raises, and errors are not cached.
    return {jwk_thumbprint(jwk): public_key_from_jwk(jwk) for jwk in orjson.loads(jwks_json)}


def node_trust(settings: HubSettings) -> TrustStore:
    """Return the nodes of hub.toml as trusted peers named by node id; raises ``ConfigError``."""
    return TrustStore.from_peers(
        TrustedPeer(
            name=node.id,
            keys=MappingProxyType(pinned_keys(node)),
            grants=frozenset({NODE_GRANT}),
        )
        for node in settings.nodes
    )


def node_request_verifier(
    settings: HubSettings, engine: Engine, *, clock: Callable[[], float] = time.time
) -> RequestVerifier:
    """Return the verifier of node-signed requests: node keys, the hub's audience, its nonces."""
    return RequestVerifier(
        trust=node_trust(settings),
        nonces=NonceStore(engine, clock=clock),
        audience=settings.hub.audience,
        clock=clock,
    )
