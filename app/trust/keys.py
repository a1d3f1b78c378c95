"""Ed25519 key pairs: PKCS#8 PEM private keys (mode 0600), public JWKs, RFC 7638 key ids.

A key id (``kid``) is always the RFC 7638 thumbprint of the public JWK, computed here; a ``kid``
member written inside a JWK is ignored, so a peer cannot choose which pinned key it is taken for.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from app.config import check_private_file
from app.errors import ConfigError

_B64URL = re.compile(r"[A-Za-z0-9_-]*")


def b64url_encode(data: bytes) -> str:
    """Return ``data`` as unpadded base64url (RFC 7515 section 2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Return the bytes of unpadded base64url ``text``; raises ``ValueError`` when malformed."""
    if not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError("not unpadded base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error as exc:
        raise ValueError("not unpadded base64url") from exc


@dataclass(frozen=True)
class SigningKey:
    """An Ed25519 private key with its key id (the thumbprint of its public JWK)."""

    private_key: Ed25519PrivateKey
    kid: str

    @classmethod
    def from_private_key(cls, private_key: Ed25519PrivateKey) -> SigningKey:
        """Return the signing key for ``private_key`` with its computed key id."""
        return cls(private_key=private_key, kid=jwk_thumbprint(_public_members(private_key)))

    @property
    def public_key(self) -> Ed25519PublicKey:
        """Return the public half of this key."""
        return self.private_key.public_key()

    def sign(self, data: bytes) -> bytes:
        """Return the 64-byte Ed25519 signature of ``data``."""
        return self.private_key.sign(data)

    def public_jwk(self) -> dict[str, str]:
        """Return the public JWK (``kty``, ``crv``, ``x``, ``kid``, ``alg``, ``use``)."""
        return {**_public_members(self.private_key), "kid": self.kid, "alg": "EdDSA", "use": "sig"}

    def __repr__(self) -> str:
        # Never let a log line or a traceback show key material.
        return f"SigningKey(kid={self.kid!r})"


def _public_members(private_key: Ed25519PrivateKey) -> dict[str, str]:
    raw = private_key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(raw)}


def jwk_thumbprint(jwk: Mapping[str, Any]) -> str:
    """Return the RFC 7638 SHA-256 thumbprint of an Ed25519 JWK; raises ``ConfigError`` if not one."""
    _raw_public_key(jwk)  # validates kty, crv and x before hashing them
    # RFC 7638 section 3.2: required members only, sorted, no whitespace.
    canonical = json.dumps(
        {"crv": jwk["crv"], "kty": jwk["kty"], "x": jwk["x"]}, separators=(",", ":"), sort_keys=True
    )
    return b64url_encode(hashlib.sha256(canonical.encode("utf-8")).digest())


def public_key_from_jwk(jwk: Mapping[str, Any]) -> Ed25519PublicKey:
    """Return the Ed25519 public key of ``jwk``; raises ``ConfigError`` for any other JWK."""
    raw = _raw_public_key(jwk)
    if "d" in jwk:
        raise ConfigError("jwk: holds a private key; give the public JWK")
    if jwk.get("alg", "EdDSA") not in {"EdDSA", "Ed25519"} or jwk.get("use", "sig") != "sig":
        raise ConfigError("jwk: alg must be EdDSA and use must be sig")
    return Ed25519PublicKey.from_public_bytes(raw)


def _raw_public_key(jwk: Mapping[str, Any]) -> bytes:
    if not isinstance(jwk, Mapping) or jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
        raise ConfigError("jwk: not an Ed25519 public key (need kty OKP, crv Ed25519)")
    x = jwk.get("x")
    try:
        raw = b64url_decode(x) if isinstance(x, str) else b""
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise ConfigError("jwk: x must be 32 bytes of unpadded base64url")
    return raw


def public_keys_by_kid(jwks: Iterable[Mapping[str, Any]]) -> dict[str, Ed25519PublicKey]:
    """Return the public keys of ``jwks`` by key id; raises ``ConfigError`` for a bad JWK."""
    return {jwk_thumbprint(jwk): public_key_from_jwk(jwk) for jwk in jwks}


def jwks_document(
    keys: Iterable[SigningKey | Mapping[str, Any]],
) -> dict[str, list[dict[str, Any]]]:
    """Return a ``/.well-known/jwks.json`` document of public keys; raises ``ConfigError``."""
    entries: list[dict[str, Any]] = []
    for key in keys:
        if isinstance(key, SigningKey):
            entries.append(key.public_jwk())
        else:
            kid = jwk_thumbprint(key)  # validates before the members are read
            public = {name: key[name] for name in ("kty", "crv", "x")}
            entries.append({**public, "kid": kid, "alg": "EdDSA", "use": "sig"})
    return {"keys": entries}


def write_key_pair(directory: Path, name: str, *, overwrite: bool = False) -> str:
    """Write ``NAME.pem`` (0600) and ``NAME.jwk.json``; return the kid; raises ``ConfigError``."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", name):
        raise ConfigError(f"keys: name {name!r} must be letters, digits, '.', '_' or '-'")
    directory.mkdir(parents=True, exist_ok=True)
    pem_path, jwk_path = directory / f"{name}.pem", directory / f"{name}.jwk.json"
    if not overwrite and (pem_path.exists() or jwk_path.exists()):
        raise ConfigError(f"keys: {pem_path} or {jwk_path} already exists; refusing to overwrite")
    key = SigningKey.from_private_key(Ed25519PrivateKey.generate())
    pem = key.private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _write_atomically(pem_path, pem, mode=0o600)
    jwk_text = json.dumps(key.public_jwk(), indent=2) + "\n"
    _write_atomically(jwk_path, jwk_text.encode("utf-8"), mode=0o644)
    return key.kid


def _write_atomically(path: Path, data: bytes, *, mode: int) -> None:
    # The temporary file is created with its final mode, so the private key is never readable by
    # others even for an instant; the rename makes the file appear whole or not at all.
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        os.fchmod(descriptor, mode)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def load_signing_key(path: Path) -> SigningKey:
    """Return the Ed25519 key in PEM file ``path``; raises ``ConfigError`` if missing, exposed or not Ed25519."""
    check_private_file(path, what="signing key")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"signing key: {path} is not readable ({exc.strerror})") from None
    try:
        private_key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise ConfigError(f"signing key: {path} is not an unencrypted PKCS#8 PEM key") from None
    if not isinstance(private_key, Ed25519PrivateKey):
        raise ConfigError(f"signing key: {path} is not an Ed25519 key")
    return SigningKey.from_private_key(private_key)
