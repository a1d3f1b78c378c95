"""Keyed pseudonyms: HMAC-SHA256 under the node secret, domain-separated per record kind.

A plain hash of an identifier can be reversed by trying every plausible id; a keyed MAC cannot
without the secret. The same secret and id always give the same pseudonym, which is what makes a
re-import idempotent (and losing the secret breaks it).
"""

from __future__ import annotations

import hmac

from app.errors import ConfigError

PSEUDONYM_HEX_CHARS = 32
"""128 bits: collisions are out of reach for any registry size."""
MIN_SECRET_BYTES = 32
_VERSION = b"ketanet-pseudonym-v1"
_CACHE_LIMIT = 1_000_000


class Pseudonymiser:
    """Compute pseudonyms under one secret; patient pseudonyms are cached (they repeat per record)."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < MIN_SECRET_BYTES:
            raise ConfigError(f"pseudonym secret must hold at least {MIN_SECRET_BYTES} bytes")
        self._secret = secret
        self._cache: dict[tuple[str, str], str] = {}

    def pseudonym(self, domain: str, value: str) -> str:
        """Return the pseudonym of ``value`` in ``domain`` (e.g. ``patient``, ``administration``)."""
        message = b"\x1f".join(
            (_VERSION, domain.encode(), value.encode("utf-8", "surrogateescape"))
        )
        return hmac.digest(self._secret, message, "sha256").hex()[:PSEUDONYM_HEX_CHARS]

    def cached(self, domain: str, value: str) -> str:
        """Return ``pseudonym(domain, value)``, remembering it (for ids that repeat, like patients)."""
        key = (domain, value)
        found = self._cache.get(key)
        if found is None:
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            found = self._cache[key] = self.pseudonym(domain, value)
        return found


def pseudonymise_patient_id(secret: bytes, source_patient_id: str) -> str:
    """Return the patient pseudonym of ``source_patient_id``; raises ``ConfigError`` on a short secret."""
    return Pseudonymiser(secret).pseudonym("patient", source_patient_id)
