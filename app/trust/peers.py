"""The trust store: peers pinned in config, their keys (several = rotation), grants and validity."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from app.config import PeerConfig
from app.errors import ConfigError, SignatureError
from app.trust.keys import public_keys_by_kid


@dataclass(frozen=True)
class TrustedPeer:
    """A peer this node answers: its public keys by key id, grants and validity window."""

    name: str
    keys: Mapping[str, Ed25519PublicKey]
    grants: frozenset[str] = frozenset()
    not_before: float | None = None
    not_after: float | None = None
    revoked: bool = False

    def has_grant(self, grant: str) -> bool:
        """Return whether this peer holds ``grant`` (``aggregate`` or ``record``)."""
        return grant in self.grants

    def check_valid(self, now: float) -> None:
        """Refuse a revoked peer or one outside its validity window; raises ``SignatureError``."""
        if self.revoked:
            raise SignatureError("key revoked")
        if self.not_before is not None and now < self.not_before:
            raise SignatureError("key not yet valid (not_before)")
        if self.not_after is not None and now > self.not_after:
            raise SignatureError("key no longer valid (not_after)")


def _epoch(value: datetime | None) -> float | None:
    if value is None:
        return None
    # A date-time written without an offset in the config is read as UTC (docs/cli.md, "Time").
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()


@dataclass(frozen=True)
class TrustStore:
    """Every trusted peer, looked up by the key id a signature names."""

    peers: tuple[TrustedPeer, ...] = ()
    _by_kid: Mapping[str, TrustedPeer] = field(default_factory=dict, repr=False)

    @classmethod
    def from_peers(cls, peers: Iterable[TrustedPeer]) -> TrustStore:
        """Return a store of ``peers``; raises ``ConfigError`` when two peers share a key."""
        peers = tuple(peers)
        by_kid: dict[str, TrustedPeer] = {}
        names: set[str] = set()
        for peer in peers:
            if peer.name in names:
                raise ConfigError(f"peers: name {peer.name!r} appears twice")
            names.add(peer.name)
            for kid in peer.keys:
                if kid in by_kid:
                    raise ConfigError(
                        f"peers: {peer.name!r} and {by_kid[kid].name!r} share key {kid}"
                    )
                by_kid[kid] = peer
        return cls(peers=peers, _by_kid=MappingProxyType(by_kid))

    @classmethod
    def from_peer_configs(cls, configs: Iterable[PeerConfig]) -> TrustStore:
        """Return the store for ``[[peers]]`` entries; raises ``ConfigError`` for a bad JWK."""
        return cls.from_peers(
            TrustedPeer(
                name=config.name,
                keys=MappingProxyType(public_keys_by_kid(config.jwks)),
                grants=frozenset(config.grants),
                not_before=_epoch(config.not_before),
                not_after=_epoch(config.not_after),
                revoked=config.revoked,
            )
            for config in configs
        )

    def resolve(self, kid: str, now: float) -> TrustedPeer:
        """Return the peer holding key ``kid``, valid at ``now``; raises ``SignatureError``."""
        peer = self._by_kid.get(kid)
        if peer is None:
            raise SignatureError("unknown key")
        peer.check_valid(now)
        return peer

    def public_key(self, kid: str, now: float) -> tuple[TrustedPeer, Ed25519PublicKey]:
        """Return the peer and public key for ``kid`` valid at ``now``; raises ``SignatureError``."""
        peer = self.resolve(kid, now)
        return peer, peer.keys[kid]
