"""The ``ketanet`` console script: assembles the command groups."""

from __future__ import annotations

import typer

from app.cli.audit import audit_app
from app.cli.demo import demo
from app.cli.ingest import ingest, mapping_check
from app.cli.init import init_app
from app.cli.keys import keys_app
from app.cli.query import query
from app.cli.serve import hub_app, node_app
from app.cli.synth import synth

cli = typer.Typer(
    name="ketanet",
    help="KetaNet: federated ketamine/esketamine TRD registries (nodes, hub, ingest, queries).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
mapping_app = typer.Typer(help="Write and test EHR export mappings.")
mapping_app.command("check")(mapping_check)

cli.add_typer(keys_app, name="keys")
cli.add_typer(init_app, name="init")
cli.add_typer(node_app, name="node")
cli.add_typer(hub_app, name="hub")
cli.add_typer(audit_app, name="audit")
cli.add_typer(mapping_app, name="mapping")
cli.command("synth")(synth)
cli.command("ingest")(ingest)
cli.command("query")(query)
cli.command("demo")(demo)


def run() -> None:
    """Entry point of the ``ketanet`` console script."""
    cli()
