"""Secret record keys: what cell-key perturbation and the near-duplicate check sum per cell.

Every patient and every counted record (administration, adverse event, dispense) gets two secret
numbers from ``HMAC-SHA256(pseudonym secret, "ketanet-record-key-v1" 0x1F kind 0x1F stored id)``:
the *record key* (first byte, 0..255) and the *member hash* (next four bytes, 0..2³²−1). The
stored id is the pseudonym, itself a keyed function of the source id, so a re-import gives every
row the same keys, and no one without the secret can compute them. Because they derive from
stored ids, rows written by a release without keys are given them later (``record_keys_for``)
without a re-import.

A record's keys are a keyed function of its own stored (pseudonymous) id: as secret and as stable
as its patient's, and independent of them, so two records of one patient have unrelated keys.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from typing import Any

from app.errors import ConfigError

KEYED_KINDS = ("patient", "administration", "adverse_event", "dispense")
"""Store tables whose rows are counted as members of cells."""
_VERSION = b"ketanet-record-key-v1"
_BLOCK_BYTES = 64
MIN_SECRET_BYTES = 32


class RecordKeyer:
    """Computes (record key, member hash) of stored rows under one pseudonym secret."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < MIN_SECRET_BYTES:
            raise ConfigError(f"pseudonym secret must hold at least {MIN_SECRET_BYTES} bytes")
        key = secret if len(secret) <= _BLOCK_BYTES else hashlib.sha256(secret).digest()
        key = key.ljust(_BLOCK_BYTES, b"\0")
        # HMAC from its two keyed SHA-256 states, computed once (as in ``Pseudonymiser``).
        self._inner = hashlib.sha256(bytes(byte ^ 0x36 for byte in key))
        self._outer = hashlib.sha256(bytes(byte ^ 0x5C for byte in key))
        self._kinds: dict[str, Any] = {}

    def _kind_state(self, kind: str) -> Any:
        inner = self._kinds.get(kind)
        if inner is None:
            inner = self._inner.copy()
            inner.update(b"\x1f".join((_VERSION, kind.encode(), b"")))
            self._kinds[kind] = inner
        return inner

    def keys_of(self, kind: str) -> Callable[[str], tuple[int, int]]:
        """Return ``keys`` with ``kind`` fixed, its states bound once (the fused row path)."""
        inner_copy = self._kind_state(kind).copy
        outer_copy = self._outer.copy
        from_bytes = int.from_bytes

        def keys(stored_id: str) -> tuple[int, int]:
            mac = inner_copy()
            mac.update(stored_id.encode("utf-8", "surrogateescape"))
            outer = outer_copy()
            outer.update(mac.digest())
            digest = outer.digest()
            return digest[0], from_bytes(digest[1:5], "big")

        return keys

    def keys(self, kind: str, stored_id: str) -> tuple[int, int]:
        """Return (record key 0..255, member hash 0..2³²−1) of the row ``stored_id`` of ``kind``."""
        mac = self._kind_state(kind).copy()
        mac.update(stored_id.encode("utf-8", "surrogateescape"))
        outer = self._outer.copy()
        outer.update(mac.digest())
        digest = outer.digest()
        return digest[0], int.from_bytes(digest[1:5], "big")

    def add_keys(self, kind: str, row: dict[str, Any]) -> None:
        """Set ``record_key`` and ``member_hash`` on a store row of a keyed kind (others untouched)."""
        if kind in KEYED_KINDS:
            row["record_key"], row["member_hash"] = self.keys(kind, row["id"])


def derived_secret(secret: bytes, purpose: str) -> bytes:
    """Return a 32-byte key for ``purpose`` derived from the pseudonym secret (domain-separated)."""
    return hmac.new(secret, b"ketanet-derived-v1\x1f" + purpose.encode(), hashlib.sha256).digest()


def record_keys_for(secret: bytes, kind: str, ids: list[str]) -> list[dict[str, Any]]:
    """Return ``{"id", "record_key", "member_hash"}`` for rows written without keys."""
    keyer = RecordKeyer(secret)
    rows = []
    for stored_id in ids:
        record_key, member_hash = keyer.keys(kind, stored_id)
        rows.append({"id": stored_id, "record_key": record_key, "member_hash": member_hash})
    return rows
