"""``ketanet node add-peer`` and ``ketanet hub add-node``: exchange public keys without editing TOML."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from app.cli.init import write_toml
from app.config import load_jwk_file
from app.errors import ConfigError, InputError
from app.hub.node_urls import node_url_problem

GRANTS = ("aggregate", "record")


def _relative_to(config: Path, target: Path) -> str:
    """Return ``target`` relative to the config's folder when possible (configs stay movable)."""
    return os.path.relpath(target.resolve(), config.resolve().parent)


def _load(config: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(config.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{config}: configuration file does not exist") from None


def _with_key(entry: dict[str, Any], key_file: str) -> dict[str, Any]:
    """Return ``entry`` with ``key_file`` among its keys (``jwks``), keeping the keys it had.

    A second key for the same peer is key rotation (docs/signing.md): both stay valid until
    the old one is removed or the peer's validity window ends.
    """
    keys = [*([entry["jwk"]] if "jwk" in entry else []), *entry.get("jwks", [])]
    if key_file not in keys:
        keys.append(key_file)
    updated = {k: v for k, v in entry.items() if k not in {"jwk", "jwks"}}
    return updated | ({"jwk": keys[0]} if len(keys) == 1 else {"jwks": keys})


def add_peer(config: Path, *, name: str, jwk: Path, grants: list[str]) -> str:
    """Trust a peer's key with ``grants``: a new peer, or one more key of a known one.

    Returns ``"added"`` or ``"key added"``. A revoked peer stays revoked and its validity window
    is kept; raises ``ConfigError`` on a bad key file or grant.
    """
    load_jwk_file(jwk)
    unknown = [grant for grant in grants if grant not in GRANTS]
    if unknown or not grants:
        raise ConfigError(
            f"--grant: use aggregate and/or record (got {','.join(unknown) or 'none'})"
        )
    document = _load(config)
    peers: list[dict[str, Any]] = document.get("peers", [])
    key_file = _relative_to(config, jwk)
    existing = next((peer for peer in peers if peer.get("name") == name), None)
    if existing is None:
        peers.append({"name": name, "jwk": key_file, "grants": grants})
        outcome = "added"
    else:
        peers[peers.index(existing)] = _with_key(existing, key_file) | {"grants": grants}
        outcome = "key added"
    document["peers"] = peers
    write_toml(config, document)
    return outcome


def add_node(
    config: Path,
    *,
    node_id: str,
    country: str,
    url: str,
    jwk: Path,
    allow_link_local: bool = False,
) -> str:
    """Add a node to the hub's list, or one more pinned key (and the URL given) of a known one.

    Returns ``"added"`` or ``"key added"``; raises ``InputError`` for a URL the hub must not call
    (``app.hub.node_urls``) and ``ConfigError`` on a bad key file.
    """
    problem = node_url_problem(url, allow_link_local=allow_link_local)
    if problem is not None:
        raise InputError(f"--url: {problem.removeprefix('node URL: ')}")
    load_jwk_file(jwk)
    document = _load(config)
    nodes: list[dict[str, Any]] = document.get("nodes", [])
    key_file = _relative_to(config, jwk)
    existing = next((node for node in nodes if node.get("id") == node_id), None)
    entry: dict[str, Any] = {"id": node_id, "country": country.upper(), "url": url}
    if allow_link_local:
        entry["allow_link_local"] = True
    if existing is None:
        nodes.append(entry | {"jwk": key_file})
        outcome = "added"
    else:
        nodes[nodes.index(existing)] = _with_key(existing, key_file) | entry
        outcome = "key added"
    document["nodes"] = nodes
    write_toml(config, document)
    return outcome
