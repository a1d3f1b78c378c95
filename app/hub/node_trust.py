"""The hub's trust in its nodes: their pinned keys verify the requests nodes send the hub.

Pull nodes fetch tasks and every node may deliver an answer later (``/api/tasks``); such
requests are signed like the hub's own (docs/signing.md), for the hub's ``public_url``. The peer a
verified request names is the node's id.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import MappingProxyType

from sqlalchemy import Engine

from app.config import HubSettings
from app.hub.fanout import pinned_keys
from app.trust.nonces import NonceStore
from app.trust.peers import TrustedPeer, TrustStore
from app.trust.signatures import RequestVerifier

NODE_GRANT = "tasks"


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
