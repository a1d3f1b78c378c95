"""``ketanet keys new``: an Ed25519 key pair; ``ketanet keys linkage-secret``: a network's linkage secret."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated

import typer

from app.cli.init import write_private_text
from app.cli.output import exit_on_error, print_json
from app.errors import ConfigError

keys_app = typer.Typer(help="Manage Ed25519 signing keys.", no_args_is_help=True)


@keys_app.callback()
def _keys() -> None:
    """Manage Ed25519 signing keys."""
    # A callback keeps ``new`` a subcommand even while it is the group's only command.


@keys_app.command("new")
def new_key(
    name: Annotated[str, typer.Option("--name", help="File stem: NAME.pem and NAME.jwk.json.")],
    directory: Annotated[Path, typer.Option("--dir", help="Folder for the key files.")] = Path(),
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON document.")] = False,
) -> None:
    """Write DIR/NAME.pem (mode 0600) and DIR/NAME.jwk.json; print the key id (RFC 7638)."""
    with exit_on_error():
        from app.trust.keys import write_key_pair  # imported here: the CLI starts without it

        kid = write_key_pair(directory, name)
    if as_json:
        print_json(
            {
                "kid": kid,
                "private_key": str(directory / f"{name}.pem"),
                "public_jwk": str(directory / f"{name}.jwk.json"),
            }
        )
    else:
        typer.echo(kid)


@keys_app.command("linkage-secret")
def new_linkage_secret(
    out: Annotated[Path, typer.Option("--out", help="File to create (mode 0600).")],
) -> None:
    """Create a network's linkage secret (for the governance body to give every node, never the hub)."""
    with exit_on_error():
        if out.exists():
            raise ConfigError(f"{out} already exists; refusing to overwrite a linkage secret")
        from app.linkage import LINKAGE_SECRET_MIN_BYTES

        write_private_text(out, secrets.token_hex(LINKAGE_SECRET_MIN_BYTES) + "\n")
    typer.echo(
        f"linkage secret written to {out} (mode 0600): give it to every node operator out of "
        "band, never to the hub"
    )
