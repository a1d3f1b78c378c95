"""Everything a running node needs, built once (``build_node_context``) and kept on ``app.state``.

The node app, the pull worker and the steward's commands share one context factory, so a
request answered at once, one fetched from the hub and one approved later are verified, answered
and signed by the same machinery.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine

from app.catalogue import load_catalogue
from app.config import NodeSettings
from app.errors import ConfigError
from app.linkage.rounds import BlindingRounds
from app.node.ratelimit import RateLimiter
from app.store import create_store_engine, upgrade_schema
from app.trust.audit import AuditLog
from app.trust.keys import SigningKey, load_signing_key
from app.trust.nonces import NonceStore
from app.trust.peers import TrustStore
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
    """The noise source of answers; None is the OS CSPRNG (seed one only in tests)."""
    rounds: BlindingRounds = field(default_factory=BlindingRounds)
    """Open overlap rounds of this process: one-query blinding keys, in memory only."""


def build_node_context(
    settings: NodeSettings,
    *,
    clock: Callable[[], float] = time.time,
    rng: random.Random | None = None,
) -> NodeContext:
    """Return the context of a node: database migrated, key loaded, verifier and audit ready.

    Raises ``ConfigError`` for an approval override naming a measure outside the catalogue.
    """
    unknown = sorted(set(settings.approval.measures) - set(load_catalogue()))
    if unknown:
        raise ConfigError(f"approval.measures: {', '.join(unknown)} not in the measure catalogue")
    engine = create_store_engine(settings.node.database_url)
    upgrade_schema(engine)
    return NodeContext(
        settings=settings,
        engine=engine,
        signing_key=load_signing_key(settings.node.signing_key),
        verifier=RequestVerifier(
            trust=TrustStore.from_peer_configs(settings.peers),
            nonces=NonceStore(engine, clock=clock),
            audience=settings.node.public_url,
            clock=clock,
        ),
        audit=AuditLog(engine, clock=clock),
        rate_limiter=RateLimiter(settings.limits.rate_per_minute),
        clock=clock,
        rng=rng,
        rounds=BlindingRounds(clock=clock),
    )
