"""Key pairs, JWKs and key ids; the trust store's lookup, rotation, revocation and validity."""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from typer.testing import CliRunner

from app.cli.keys import keys_app
from app.config import PeerConfig
from app.errors import ConfigError, SignatureError
from app.trust.keys import (
    jwk_thumbprint,
    jwks_document,
    load_signing_key,
    public_key_from_jwk,
    write_key_pair,
)
from app.trust.peers import TrustStore

from .support import new_key


def test_write_key_pair_private_key_mode_0600_even_with_open_umask(tmp_path: Path) -> None:
    previous = os.umask(0)
    try:
        write_key_pair(tmp_path, "hub")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "hub.pem").stat().st_mode) == 0o600
    assert (tmp_path / "hub.pem").read_text().startswith("-----BEGIN PRIVATE KEY-----")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left


def test_write_key_pair_jwk_holds_public_members_and_thumbprint_kid(tmp_path: Path) -> None:
    kid = write_key_pair(tmp_path, "no")
    jwk = json.loads((tmp_path / "no.jwk.json").read_text())
    assert set(jwk) == {"kty", "crv", "x", "kid", "alg", "use"}
    assert (jwk["kty"], jwk["crv"], jwk["alg"], jwk["use"]) == ("OKP", "Ed25519", "EdDSA", "sig")
    assert jwk["kid"] == kid == jwk_thumbprint(jwk)
    assert load_signing_key(tmp_path / "no.pem").kid == kid


def test_write_key_pair_refuses_overwrite_existing(tmp_path: Path) -> None:
    write_key_pair(tmp_path, "no")
    with pytest.raises(ConfigError, match="already exists"):
        write_key_pair(tmp_path, "no")


def test_jwk_thumbprint_matches_rfc8037_example() -> None:
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
    assert jwk_thumbprint(jwk) == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


def test_load_signing_key_refuses_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_signing_key(tmp_path / "absent.pem")


def test_load_signing_key_refuses_file_readable_by_others(tmp_path: Path) -> None:
    write_key_pair(tmp_path, "hub")
    (tmp_path / "hub.pem").chmod(0o644)
    with pytest.raises(ConfigError, match="readable by others"):
        load_signing_key(tmp_path / "hub.pem")


def test_load_signing_key_refuses_non_ed25519_key(tmp_path: Path) -> None:
    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path = tmp_path / "ec.pem"
    path.write_bytes(pem)
    path.chmod(0o600)
    with pytest.raises(ConfigError, match="not an Ed25519 key"):
        load_signing_key(path)


def test_load_signing_key_refuses_garbage(tmp_path: Path) -> None:
    path = tmp_path / "junk.pem"
    path.write_text("not a key")
    path.chmod(0o600)
    with pytest.raises(ConfigError, match="PKCS#8"):
        load_signing_key(path)


@pytest.mark.parametrize(
    ("jwk", "rule"),
    [
        ({"kty": "EC", "crv": "P-256", "x": "AA"}, "not an Ed25519"),
        ({"kty": "OKP", "crv": "Ed25519", "x": "AAAA"}, "32 bytes"),
        ({"kty": "OKP", "crv": "Ed25519", "x": "!!"}, "32 bytes"),
        ({**new_key().public_jwk(), "d": "secret"}, "private key"),
        ({**new_key().public_jwk(), "alg": "RS256"}, "alg"),
    ],
    ids=["wrong-kty", "short-x", "bad-base64", "private", "wrong-alg"],
)
def test_public_key_from_jwk_refuses_bad_jwk(jwk: dict[str, str], rule: str) -> None:
    with pytest.raises(ConfigError, match=rule):
        public_key_from_jwk(jwk)


def test_jwks_document_lists_public_keys_only() -> None:
    key = new_key()
    other = new_key().public_jwk()
    document = jwks_document([key, other])
    assert [entry["kid"] for entry in document["keys"]] == [key.kid, other["kid"]]
    assert all("d" not in entry for entry in document["keys"])
    assert "private" not in repr(key).lower() and key.kid in repr(key)


def _store(*peers: dict[str, object]) -> TrustStore:
    return TrustStore.from_peer_configs([PeerConfig.model_validate(peer) for peer in peers])


def test_trust_store_resolves_every_key_of_a_rotating_peer() -> None:
    old, new = new_key(), new_key()
    store = _store({"name": "hub", "jwks": [old.public_jwk(), new.public_jwk()]})
    assert store.resolve(old.kid, 0).name == store.resolve(new.kid, 0).name == "hub"
    assert store.resolve(new.kid, 0).has_grant("aggregate")
    assert not store.resolve(new.kid, 0).has_grant("record")


def test_trust_store_refuses_unknown_key() -> None:
    store = _store({"name": "hub", "jwks": [new_key().public_jwk()]})
    with pytest.raises(SignatureError, match="unknown key"):
        store.resolve(new_key().kid, 0)


def test_trust_store_refuses_revoked_peer() -> None:
    key = new_key()
    store = _store({"name": "hub", "jwks": [key.public_jwk()], "revoked": True})
    with pytest.raises(SignatureError, match="revoked"):
        store.resolve(key.kid, 0)


def test_trust_store_refuses_key_outside_validity_window() -> None:
    key = new_key()
    start, end = datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1)  # naive = UTC
    store = _store(
        {"name": "hub", "jwks": [key.public_jwk()], "not_before": start, "not_after": end}
    )
    assert store.resolve(key.kid, start.timestamp() + 1).name == "hub"
    with pytest.raises(SignatureError, match="not yet valid"):
        store.resolve(key.kid, start.timestamp() - 1)
    with pytest.raises(SignatureError, match="no longer valid"):
        store.resolve(key.kid, end.replace(tzinfo=UTC).timestamp() + 1)


def test_trust_store_refuses_key_shared_by_two_peers() -> None:
    jwk = new_key().public_jwk()
    with pytest.raises(ConfigError, match="share key"):
        _store({"name": "a", "jwks": [jwk]}, {"name": "b", "jwks": [jwk]})


def test_cli_keys_new_prints_kid_and_writes_files(tmp_path: Path) -> None:
    result = CliRunner().invoke(keys_app, ["new", "--name", "hub", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == load_signing_key(tmp_path / "hub.pem").kid


def test_cli_keys_new_json_and_refusal_exit_code(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(keys_app, ["new", "--name", "no", "--dir", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["kid"] == load_signing_key(tmp_path / "no.pem").kid
    again = runner.invoke(keys_app, ["new", "--name", "no", "--dir", str(tmp_path)])
    assert again.exit_code == ConfigError.exit_code
    assert "already exists" in again.output
