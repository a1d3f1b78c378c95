"""``ketanet node serve|pull|add-peer|erase|approvals`` and ``ketanet hub serve|add-node``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from app.cli.lazy import LazyCommand, lazy_group
from app.cli.output import exit_on_error

NODE_COMMANDS = {
    "pull": LazyCommand(
        "app.cli.pull",
        "node_pull",
        False,
        "Fetch this node's tasks from the hub and answer them (for a scheduler: --once).",
    ),
    "erase": LazyCommand(
        "app.cli.ingest",
        "node_erase",
        False,
        "Erase every record of one patient (withdrawal or erasure request).",
    ),
    "approvals": LazyCommand(
        "app.cli.approvals",
        "approvals_app",
        True,
        "Review requests held for the data steward; approve or deny them.",
    ),
}
"""``node`` commands imported only when they run (their modules pull in the node's stack)."""
node_app = typer.Typer(help="Run and administer a national node.", cls=lazy_group(NODE_COMMANDS))
hub_app = typer.Typer(help="Run and administer the hub.")
ConfigOption = Annotated[Path, typer.Option("--config", help="Configuration file (TOML).")]


@node_app.command("serve")
def node_serve(config: ConfigOption) -> None:
    """Run a node until interrupted: uvicorn, or in pull mode (hub.mode = "pull") no socket."""
    import uvicorn

    from app.cli.access_log import uvicorn_log_config
    from app.cli.heap import freeze_startup_objects
    from app.cli.pull import serve_pull
    from app.config import load_node_settings
    from app.node.app import create_node_app

    with exit_on_error():
        settings = load_node_settings(config)
        if settings.hub is not None and settings.hub.mode == "pull":
            freeze_startup_objects()
            serve_pull(settings)
            return
        app = create_node_app(settings)
    freeze_startup_objects()
    uvicorn.run(
        app,
        host=settings.node.host,
        port=settings.node.port,
        log_level="info",
        log_config=uvicorn_log_config(),
    )


@node_app.command("add-peer")
def node_add_peer(
    config: ConfigOption,
    name: Annotated[str, typer.Option(help="Peer name (e.g. hub).")],
    jwk: Annotated[Path, typer.Option(help="The peer's public JWK file.")],
    grant: Annotated[str, typer.Option(help="aggregate[,record]")] = "aggregate",
) -> None:
    """Trust a peer's public key with the given grants."""
    from app.cli.peers import add_peer

    with exit_on_error():
        outcome = add_peer(config, name=name, jwk=jwk, grants=[g for g in grant.split(",") if g])
    typer.echo(f"peer {name}: {outcome}, grants {grant}")
    typer.echo(
        "a running node reads its peers at start: restart `ketanet node serve` to trust the key"
    )


@hub_app.command("serve")
def hub_serve(config: ConfigOption) -> None:
    """Run the hub API and dashboard until interrupted."""
    import uvicorn

    from app.cli.access_log import uvicorn_log_config
    from app.cli.heap import freeze_startup_objects
    from app.config import load_hub_settings
    from app.hub.app import create_hub_app

    with exit_on_error():
        settings = load_hub_settings(config)
        app = create_hub_app(settings)
    freeze_startup_objects()
    uvicorn.run(
        app,
        host=settings.hub.host,
        port=settings.hub.port,
        log_level="info",
        log_config=uvicorn_log_config(),
    )


@hub_app.command("add-node")
def hub_add_node(
    config: ConfigOption,
    node_id: Annotated[str, typer.Option("--id", help="Node id.")],
    country: Annotated[str, typer.Option(help="ISO 3166-1 alpha-2 code.")],
    url: Annotated[str, typer.Option(help="The node's public URL.")],
    jwk: Annotated[Path, typer.Option(help="The node's public JWK file.")],
    allow_link_local: Annotated[
        bool, typer.Option(help="Allow a link-local or cloud-metadata address as the URL.")
    ] = False,
) -> None:
    """Add a node (URL, country, pinned key) to the hub's list."""
    from app.cli.peers import add_node

    with exit_on_error():
        outcome = add_node(
            config, node_id=node_id, country=country, url=url, jwk=jwk,
            allow_link_local=allow_link_local,
        )  # fmt: skip
    typer.echo(f"node {node_id} ({country.upper()}): {outcome}")
    typer.echo("a running hub reads its node list at start: restart `ketanet hub serve` to ask it")


@hub_app.command("token")
def hub_token(
    config: ConfigOption,
    name: Annotated[
        str | None, typer.Option(help="Analyst name in the token file (default: the first).")
    ] = None,
) -> None:
    """Print an analyst's bearer token (the file holds `NAME TOKEN` lines; this prints TOKEN)."""
    from app.config import load_hub_settings
    from app.hub.tokens import TokenRegistry

    with exit_on_error():
        settings = load_hub_settings(config)
        registry = TokenRegistry.from_file(settings.hub.api_token_file)
        token = registry.token_of(name)
    typer.echo(token)
