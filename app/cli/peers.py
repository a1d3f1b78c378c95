"""``ketanet node add-peer`` and ``ketanet hub add-node``: exchange public keys without editing TOML."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from app.cli.init import write_toml
from app.config import load_jwk_file
from app.errors import ConfigError

GRANTS = ("aggregate", "record")


def _relative_to(config: Path, target: Path) -> str:
    """Return ``target`` relative to the config's folder when possible (configs stay movable)."""
    return os.path.relpath(target.resolve(), config.resolve().parent)


def _load(config: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(config.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{config}: configuration file does not exist") from None


def add_peer(config: Path, *, name: str, jwk: Path, grants: list[str]) -> None:
    """Add (or replace) a trusted peer in a node config; raises ``ConfigError`` on bad input."""
    load_jwk_file(jwk)
    unknown = [grant for grant in grants if grant not in GRANTS]
    if unknown or not grants:
        raise ConfigError(
            f"--grant: use aggregate and/or record (got {','.join(unknown) or 'none'})"
        )
    document = _load(config)
    peers = [peer for peer in document.get("peers", []) if peer.get("name") != name]
    peers.append({"name": name, "jwk": _relative_to(config, jwk), "grants": grants})
    document["peers"] = peers
    write_toml(config, document)


def add_node(config: Path, *, node_id: str, country: str, url: str, jwk: Path) -> None:
    """Add (or replace) a node in a hub config; raises ``ConfigError`` on bad input."""
    load_jwk_file(jwk)
    document = _load(config)
    nodes = [node for node in document.get("nodes", []) if node.get("id") != node_id]
    nodes.append(
        {"id": node_id, "country": country.upper(), "url": url, "jwk": _relative_to(config, jwk)}
    )
    document["nodes"] = nodes
    write_toml(config, document)
