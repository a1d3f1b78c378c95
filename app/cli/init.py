"""``ketanet init node|hub``: scaffold a node or hub folder with config, key pair and secrets."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Annotated, Any

import tomli_w
import typer

from app.cli.output import exit_on_error
from app.errors import ConfigError

init_app = typer.Typer(help="Scaffold a node or hub: config file, key pair and secrets.")


def write_private_text(path: Path, text: str) -> None:
    """Create ``path`` with mode 0600 (never briefly readable by others) holding ``text``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


def write_toml(path: Path, document: dict[str, Any]) -> None:
    """Write ``document`` as TOML to ``path``."""
    path.write_text(tomli_w.dumps(document), encoding="utf-8")


def scaffold_node(
    directory: Path,
    *,
    node_id: str,
    country: str,
    port: int,
    public_url: str | None = None,
    database_url: str | None = None,
    disclosure: dict[str, Any] | None = None,
    linkage_secret: Path | None = None,
    timezone: str = "UTC",
) -> Path:
    """Create ``node.toml``, the node key pair and pseudonym secret; return the config path.

    With ``linkage_secret`` (the network's, checked like any secret) a copy goes to
    ``keys/linkage.secret`` (0600) and ``node.toml`` names it. Raises ``ConfigError``.
    """
    config = directory / "node.toml"
    if config.exists():
        raise ConfigError(f"{config} already exists; refusing to overwrite a node")
    from app.config import check_secret_file
    from app.trust.keys import write_key_pair  # imported here: the CLI starts without it

    if linkage_secret is not None:
        check_secret_file(linkage_secret, what="--linkage-secret")
    check_timezone(timezone)
    keys = directory / "keys"
    keys.mkdir(parents=True, exist_ok=True)
    write_key_pair(keys, node_id)
    write_private_text(keys / f"{node_id}.secret", secrets.token_hex(32) + "\n")
    linkage: dict[str, str] = {}
    if linkage_secret is not None:
        write_private_text(keys / "linkage.secret", linkage_secret.read_text(encoding="utf-8"))
        linkage["linkage_secret"] = "keys/linkage.secret"  # noqa: S105 (a path)
    document: dict[str, Any] = {
        "node": {
            "id": node_id,
            "country": country.upper(),
            "public_url": public_url or f"http://127.0.0.1:{port}",
            "host": "127.0.0.1",
            "port": port,
            "database_url": database_url or f"sqlite:///{node_id}.db",
            "signing_key": f"keys/{node_id}.pem",
            "pseudonym_secret": f"keys/{node_id}.secret",
            **linkage,
            "timezone": timezone,
        },
        "disclosure": {
            "min_cell": 11,
            "mask_zero": False,
            "rounding": 0,
            "perturbation": "cell-key",
            "epsilon": 0.0,
        }
        | (disclosure or {}),
        "limits": {"max_body_bytes": 1_048_576, "rate_per_minute": 600, "max_strata": 200},
    }
    write_toml(config, document)
    return config


def check_timezone(name: str) -> None:
    """Raise ``ConfigError`` unless ``name`` is an IANA time zone (e.g. Europe/Oslo)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"--timezone: {name!r} is not an IANA time zone (e.g. Europe/Oslo, UTC)"
        ) from None


def scaffold_hub(directory: Path, *, port: int, analyst: str = "analyst") -> Path:
    """Create ``hub.toml``, the hub key pair and an analyst token file; return the config path."""
    config = directory / "hub.toml"
    if config.exists():
        raise ConfigError(f"{config} already exists; refusing to overwrite a hub")
    from app.trust.keys import write_key_pair

    keys = directory / "keys"
    keys.mkdir(parents=True, exist_ok=True)
    write_key_pair(keys, "hub")
    write_private_text(keys / "hub.token", f"{analyst} {secrets.token_urlsafe(32)}\n")
    document = {
        "hub": {
            "id": "hub",
            "host": "127.0.0.1",
            "port": port,
            "database_url": "sqlite:///hub.db",
            "signing_key": "keys/hub.pem",
            "api_token_file": "keys/hub.token",
            "timeout_s": 30,
        }
    }
    write_toml(config, document)
    return config


@init_app.command("node")
def init_node(
    directory: Annotated[Path, typer.Option("--dir", help="Folder to create the node in.")],
    node_id: Annotated[str, typer.Option("--id", help="Short node id, e.g. 'no'.")],
    country: Annotated[str, typer.Option(help="ISO 3166-1 alpha-2 country code.")],
    port: Annotated[int, typer.Option(help="Port the node listens on.")],
    public_url: Annotated[str | None, typer.Option(help="URL peers sign requests for.")] = None,
    database_url: Annotated[str | None, typer.Option(help="SQLAlchemy database URL.")] = None,
    linkage_secret: Annotated[
        Path | None,
        typer.Option(help="The network's linkage secret (for the cross-border overlap)."),
    ] = None,
    timezone: Annotated[
        str,
        typer.Option(
            help="IANA time zone of export values without an offset, e.g. Europe/Oslo.",
        ),
    ] = "UTC",
) -> None:
    """Scaffold a node: node.toml, its key pair and a fresh pseudonym secret (0600)."""
    with exit_on_error():
        config = scaffold_node(
            directory,
            node_id=node_id,
            country=country,
            port=port,
            public_url=public_url,
            database_url=database_url,
            linkage_secret=linkage_secret,
            timezone=timezone,
        )
    typer.echo(f"node {node_id} scaffolded: {config} (time zone {timezone})")
    typer.echo(f"its public key, for the hub: {config.parent / 'keys' / f'{node_id}.jwk.json'}")


@init_app.command("hub")
def init_hub(
    directory: Annotated[Path, typer.Option("--dir", help="Folder to create the hub in.")],
    port: Annotated[int, typer.Option(help="Port the hub listens on.")] = 8100,
) -> None:
    """Scaffold a hub: hub.toml, its key pair and an analyst token file (0600)."""
    with exit_on_error():
        config = scaffold_hub(directory, port=port)
    typer.echo(f"hub scaffolded: {config}")
    typer.echo(f"its public key, for the nodes: {config.parent / 'keys' / 'hub.jwk.json'}")
    typer.echo(f"the analysts' bearer token: ketanet hub token --config {config}")
