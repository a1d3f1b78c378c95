"""``ketanet query``: run a federated query with the hub's key and node list, print the result."""

from __future__ import annotations

import asyncio
import getpass
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.console import Console

from app.cli.output import exit_on_error, print_json
from app.cli.render import render_document
from app.config import load_hub_settings
from app.hub.pooled_report import pooled_measure_report
from app.hub.pooling import rows_to_csv
from app.hub.replies import NodeReply
from app.hub.requests import query_from_options
from app.hub.service import HubService


def query(
    measure: Annotated[str, typer.Argument(help="Catalogue measure id, e.g. efficacy.")],
    config: Annotated[Path, typer.Option("--config", help="hub.toml")],
    period: Annotated[str | None, typer.Option(help="START..END (inclusive dates).")] = None,
    filter_: Annotated[list[str] | None, typer.Option("--filter", help="KEY=V[,V]")] = None,
    stratify: Annotated[list[str] | None, typer.Option(help="Stratifier id.")] = None,
    param: Annotated[list[str] | None, typer.Option(help="KEY=VALUE measure parameter.")] = None,
    output_format: Annotated[str, typer.Option("--format", help="table|json|csv|fhir")] = "table",
) -> None:
    """Run a federated query and print the pooled result with per-country rows and node status."""
    if output_format not in {"table", "json", "csv", "fhir"}:
        typer.echo("error: --format must be table, json, csv or fhir", err=True)
        raise typer.Exit(2)
    with exit_on_error():
        settings = load_hub_settings(config)
        measure_query = query_from_options(
            measure, period, filter_ or [], stratify or [], param or []
        )
        service = HubService(settings)
        err = Console(stderr=True)

        def progress(reply: NodeReply) -> None:
            err.print(
                f"  {reply.node_id} ({reply.country}): {reply.status} in {reply.elapsed_s:.2f} s"
            )

        document = asyncio.run(
            service.run_query(measure_query, actor=f"cli:{getpass.getuser()}", on_reply=progress)
        )
    view = document.model_dump()
    if output_format == "json":
        print_json(view)
    elif output_format == "csv":
        typer.echo(rows_to_csv(document), nl=False)
    elif output_format == "fhir":
        typer.echo(
            orjson.dumps(pooled_measure_report(document), option=orjson.OPT_INDENT_2).decode()
        )
    else:
        render_document(view, Console())
    if not any(node["status"] == "ok" for node in view["nodes"]):
        first = view["nodes"][0] if view["nodes"] else {"status": "no nodes configured"}
        reason = f"{first.get('id', '')} {first['status']}: {first.get('detail') or ''}".strip()
        typer.echo(f"error: no node answered ({reason})", err=True)
        raise typer.Exit(1)
