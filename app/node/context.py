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
from app.config import DisclosureSection, NodeSettings
from app.database import check_database
from app.deid.record_keys import derived_secret
from app.errors import ConfigError
from app.ingest.record_keys import assign_missing_record_keys
from app.linkage.rounds import BlindingRounds
from app.node.ratelimit import EvaluationSlots, RateLimiter
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
    """The noise source of unkeyed answers; None is the OS CSPRNG (seed one only in tests)."""
    noise_secret: bytes | None = None
    """Keys the noise of a cell by its members (derived from the pseudonym secret)."""
    rounds: BlindingRounds = field(default_factory=BlindingRounds)
    """Open overlap rounds of this process: one-query blinding keys, in memory only."""
    evaluation_slots: EvaluationSlots = field(default_factory=lambda: EvaluationSlots(4))
    """How many measure evaluations run at once (``limits.max_concurrent_evaluations``)."""
    stranger_limiter: RateLimiter = field(default_factory=lambda: RateLimiter(60))
    """Rate of unauthenticated requests per client address (``limits.unauthenticated_per_minute``)."""

    def disclosure_for(self, peer: str) -> DisclosureSection:
        """Return the policy for ``peer``: its own ``[peers.disclosure]``, else the node's."""
        for config in self.settings.peers:
            if config.name == peer and config.disclosure is not None:
                return config.disclosure
        return self.settings.disclosure


def build_node_context(
    settings: NodeSettings,
    *,
    clock: Callable[[], float] = time.time,
    rng: random.Random | None = None,
) -> NodeContext:
    """Return the context of a node: database migrated, key loaded, verifier and audit ready.

    Raises ``ConfigError`` for an approval override naming a measure outside the catalogue, and
    for noise without a privacy budget.
    """
    _refuse_noise_without_budget(settings)
    unknown = sorted(set(settings.approval.measures) - set(load_catalogue()))
    if unknown:
        raise ConfigError(f"approval.measures: {', '.join(unknown)} not in the measure catalogue")
    engine = create_store_engine(settings.node.database_url)
    check_database(engine, "node database")
    upgrade_schema(engine)
    secret = settings.node.pseudonym_secret.read_bytes().strip()
    # Rows stored by a release without record keys get them now, from their pseudonyms.
    assign_missing_record_keys(engine, secret)
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
        noise_secret=derived_secret(secret, "keyed-noise"),
        rounds=BlindingRounds(clock=clock),
        evaluation_slots=EvaluationSlots(settings.limits.max_concurrent_evaluations),
        stranger_limiter=RateLimiter(settings.limits.unauthenticated_per_minute),
    )


def _refuse_noise_without_budget(settings: NodeSettings) -> None:
    """Refuse to start with noise but no budget (settings built in code skip the config check)."""
    policies = [("disclosure", settings.disclosure)] + [
        (f"peers.{peer.name}.disclosure", peer.disclosure)
        for peer in settings.peers
        if peer.disclosure is not None
    ]
    for where, policy in policies:
        if policy.epsilon > 0 and policy.epsilon_budget <= 0:
            raise ConfigError(f"{where}: epsilon > 0 needs epsilon_budget > 0")
