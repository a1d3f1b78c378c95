"""The ``ketanet`` console script: assembles the command groups, importing each only when used.

Start-up time matters for a command line: importing every command module (the hub's statistics,
the node's web app, FHIR models) took seconds before ``ketanet --help`` could answer. The root
group therefore knows its commands by name, module and one-line help (``COMMANDS``) and imports a
command's module only when that command runs or shows its own help; the root help lists the
one-line helps without importing anything (``tests/cli/test_startup.py`` checks that they match
the commands' own and that ``--help`` imports no command module).
"""

from __future__ import annotations

from typing import Any

import typer

from app.cli.lazy import LazyCommand, lazy_group

COMMANDS: dict[str, LazyCommand] = {
    "keys": LazyCommand("app.cli.keys", "keys_app", True, "Manage Ed25519 signing keys."),
    "init": LazyCommand(
        "app.cli.init",
        "init_app",
        True,
        "Scaffold a node or hub: config file, key pair and secrets.",
    ),
    "node": LazyCommand("app.cli.serve", "node_app", True, "Run and administer a national node."),
    "hub": LazyCommand("app.cli.serve", "hub_app", True, "Run and administer the hub."),
    "audit": LazyCommand(
        "app.cli.audit", "audit_app", True, "Show and verify a node's or the hub's audit log."
    ),
    "mapping": LazyCommand(
        "app.cli.main", "mapping_app", True, "Write and test EHR export mappings."
    ),
    "synth": LazyCommand(
        "app.cli.synth",
        "synth",
        False,
        "Write a realistic synthetic export (reference CSV and/or FHIR NDJSON of the same data).",
    ),
    "ingest": LazyCommand(
        "app.cli.ingest",
        "ingest",
        False,
        "Map, de-identify, validate and store an export (atomic unless --skip-invalid).",
    ),
    "query": LazyCommand(
        "app.cli.query",
        "query",
        False,
        "Run a federated query and print the pooled result with per-country rows and node status.",
    ),
    "demo": LazyCommand(
        "app.cli.demo",
        "demo",
        False,
        "Run the whole network on this machine, print the standard measures, serve the dashboard.",
    ),
}
"""Every top-level command: name → where it lives and its one-line help."""


cli = typer.Typer(
    name="ketanet",
    help="KetaNet: federated ketamine/esketamine TRD registries (nodes, hub, ingest, queries).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=lazy_group(COMMANDS),
)


@cli.callback()
def _root() -> None:
    """KetaNet: federated ketamine/esketamine TRD registries (nodes, hub, ingest, queries)."""


def _mapping_app() -> typer.Typer:
    from app.cli.ingest import mapping_check

    app = typer.Typer(help="Write and test EHR export mappings.")
    app.command("check")(mapping_check)
    return app


def __getattr__(name: str) -> Any:
    """Build ``mapping_app`` on first use (it needs the ingest module)."""
    if name == "mapping_app":
        return _mapping_app()
    raise AttributeError(name)


def run() -> None:
    """Entry point of the ``ketanet`` console script."""
    cli()
