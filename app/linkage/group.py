"""The prime-order group of the PSI exchange: ristretto255 from libsodium (through ``pysodium``).

This is the only module that touches curve arithmetic, and it writes none: hashing to the group,
random scalars and points, and scalar multiplication are libsodium's ``crypto_core_ristretto255_*``
and ``crypto_scalarmult_ristretto255``. Ristretto255 encodings are canonical (one 32-byte string per
group element) and decoding rejects anything that is not one, so a received value is either a group
element or refused, and two equal elements always compare equal as bytes.
"""

from __future__ import annotations

import hashlib
from types import ModuleType

from app.errors import InputError, Unavailable

POINT_BYTES = 32
SCALAR_BYTES = 32
_HASH_DOMAIN = b"ketanet-psi-v1/hash-to-ristretto255\x1f"


def _sodium() -> ModuleType:
    """Return ``pysodium``; raises ``Unavailable`` when the libsodium library is not installed."""
    try:
        import pysodium
    except (OSError, ValueError) as exc:  # pysodium raises ValueError when libsodium is absent
        raise Unavailable(
            "private set intersection needs libsodium (Debian/Ubuntu: apt-get install libsodium23)"
        ) from exc
    return pysodium


def hash_to_point(token: bytes) -> bytes:
    """Return the group element of a linkage token (libsodium's 64-byte hash-to-group map)."""
    digest = hashlib.sha512(_HASH_DOMAIN + token).digest()
    point: bytes = _sodium().crypto_core_ristretto255_from_hash(digest)
    return point


def random_scalar() -> bytes:
    """Return a fresh uniformly random non-zero scalar from libsodium's CSPRNG."""
    scalar: bytes = _sodium().crypto_core_ristretto255_scalar_random()
    return scalar


def random_point() -> bytes:
    """Return a uniformly random group element (a padding element nobody can match)."""
    point: bytes = _sodium().crypto_core_ristretto255_random()
    return point


def multiply(scalar: bytes, point: bytes) -> bytes:
    """Return ``scalar · point``; raises ``InputError`` when ``point`` is not a group element."""
    try:
        product: bytes = _sodium().crypto_scalarmult_ristretto255(scalar, point)
    except ValueError as exc:  # a non-canonical or invalid encoding, or the identity
        raise InputError("a blinded value is not a ristretto255 group element") from exc
    return product


def multiply_all(scalar: bytes, points: list[bytes]) -> list[bytes]:
    """Return ``scalar · p`` for every point; raises ``InputError`` at the first invalid one."""
    sodium = _sodium()
    scalarmult = sodium.crypto_scalarmult_ristretto255
    try:
        return [scalarmult(scalar, point) for point in points]
    except ValueError as exc:
        raise InputError("a blinded value is not a ristretto255 group element") from exc
