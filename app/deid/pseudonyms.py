"""Keyed pseudonyms: HMAC-SHA256 under the node secret, domain-separated per record kind.

A plain hash of an identifier can be reversed by trying every plausible id; a keyed MAC cannot
without the secret. The same secret and id always give the same pseudonym, which is what makes a
re-import idempotent (and losing the secret breaks it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from app.errors import ConfigError

PSEUDONYM_HEX_CHARS = 32
"""128 bits: collisions are out of reach for any registry size."""
MIN_SECRET_BYTES = 32
_VERSION = b"ketanet-pseudonym-v1"
_CACHE_LIMIT = 1_000_000
_BLOCK_BYTES = 64  # SHA-256 block size


class Pseudonymiser:
    """Compute pseudonyms under one secret; patient pseudonyms are cached (they repeat per record).

    The pseudonym of ``value`` in ``domain`` is the first 32 hex characters of
    ``HMAC-SHA256(secret, "ketanet-pseudonym-v1" 0x1F domain 0x1F value)``.
    """

    def __init__(self, secret: bytes) -> None:
        if len(secret) < MIN_SECRET_BYTES:
            raise ConfigError(f"pseudonym secret must hold at least {MIN_SECRET_BYTES} bytes")
        # HMAC (RFC 2104) from its two keyed SHA-256 states, computed once: per pseudonym it is
        # then two state copies, which is several times cheaper than hmac.new() on a hot path.
        key = secret if len(secret) <= _BLOCK_BYTES else hashlib.sha256(secret).digest()
        key = key.ljust(_BLOCK_BYTES, b"\0")
        self._inner = hashlib.sha256(bytes(byte ^ 0x36 for byte in key))
        self._outer = hashlib.sha256(bytes(byte ^ 0x5C for byte in key))
        self._domains: dict[str, Any] = {}
        self._cache: dict[str, str] = {}

    def pseudonym(self, domain: str, value: str) -> str:
        """Return the pseudonym of ``value`` in ``domain`` (e.g. ``patient``, ``administration``)."""
        mac = self._domain_state(domain).copy()
        mac.update(value.encode("utf-8", "surrogateescape"))
        outer = self._outer.copy()
        outer.update(mac.digest())
        return outer.hexdigest()[:PSEUDONYM_HEX_CHARS]

    def _domain_state(self, domain: str) -> Any:
        inner = self._domains.get(domain)
        if inner is None:
            inner = self._inner.copy()
            inner.update(b"\x1f".join((_VERSION, domain.encode(), b"")))
            self._domains[domain] = inner
        return inner

    def hasher(self, domain: str) -> Callable[[str], str]:
        """Return ``pseudonym`` with ``domain`` fixed, its states bound once (the fused row path)."""
        inner_copy = self._domain_state(domain).copy
        outer_copy = self._outer.copy

        def pseudonym(value: str) -> str:
            mac = inner_copy()
            mac.update(value.encode("utf-8", "surrogateescape"))
            outer = outer_copy()
            outer.update(mac.digest())
            return outer.hexdigest()[:PSEUDONYM_HEX_CHARS]

        return pseudonym

    def patient_lookup(self) -> Callable[[str], str | None]:
        """Return the patient cache's ``get``: a patient id's pseudonym if it was seen, else None."""
        return self._cache.get

    def patient(self, value: str) -> str:
        """Return the patient pseudonym of ``value``, cached (every record repeats it)."""
        found = self._cache.get(value)
        if found is None:
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            found = self._cache[value] = self.pseudonym("patient", value)
        return found


def pseudonymise_patient_id(secret: bytes, source_patient_id: str) -> str:
    """Return the patient pseudonym of ``source_patient_id``; raises ``ConfigError`` on a short secret."""
    return Pseudonymiser(secret).pseudonym("patient", source_patient_id)
