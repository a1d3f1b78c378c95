"""The one seed derivation of the synthesiser: every random stream is named by its parts."""

from __future__ import annotations

import hashlib


def derive_seed(*parts: object) -> int:
    """Return a 64-bit integer derived from the parts (stable across runs and platforms)."""
    text = "|".join(str(p) for p in ("ketanet-synth", *parts))
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")
