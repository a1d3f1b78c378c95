"""Everything a running node needs, built once by ``create_node_app`` and kept on ``app.state``."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine

from app.config import DisclosureSection, NodeSettings
from app.linkage.rounds import BlindingRounds
from app.node.ratelimit import RateLimiter
from app.trust.audit import AuditLog
from app.trust.keys import SigningKey
from app.trust.signatures import RequestVerifier


@dataclass
class NodeContext:
    """The node's settings, database, keys and trust machinery."""

    settings: NodeSettings
    engine: Engine
    signing_key: SigningKey
    verifier: RequestVerifier
    audit: AuditLog
    rate_limiter: RateLimiter
    clock: Callable[[], float] = time.time
    rng: random.Random | None = None
    """The noise source of unkeyed answers; None is the OS CSPRNG (seed one only in tests)."""
    noise_secret: bytes | None = None
    """Keys the noise of a cell by its members (derived from the pseudonym secret)."""
    rounds: BlindingRounds = field(default_factory=BlindingRounds)
    """Open overlap rounds of this process: one-query blinding keys, in memory only."""

    def disclosure_for(self, peer: str) -> DisclosureSection:
        """Return the policy for ``peer``: its own ``[peers.disclosure]``, else the node's."""
        for config in self.settings.peers:
            if config.name == peer and config.disclosure is not None:
                return config.disclosure
        return self.settings.disclosure
