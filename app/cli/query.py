"""``ketanet query``: run a federated query with the hub's key and node list, print the result;
``ketanet query show ID``: print a stored query as it stands now."""

from __future__ import annotations

import asyncio
import getpass
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import orjson
import typer
from rich.console import Console

from app.cli.output import exit_on_error, print_json
from app.cli.render import render_document
from app.errors import InputError

if TYPE_CHECKING:
    from app.hub.document import QueryDocument
    from app.hub.replies import NodeReply

# The hub's settings and service (SQLAlchemy, statistics, FastAPI models) are imported when the
# query runs, so that `ketanet query --help` answers at once (tests/cli/test_startup.py).

SHOW = "show"


def query(
    measure: Annotated[
        str, typer.Argument(help="Catalogue measure id, e.g. efficacy; or `show` and a query id.")
    ],
    config: Annotated[Path, typer.Option("--config", help="hub.toml")],
    query_id: Annotated[
        str | None, typer.Argument(metavar="[ID]", help="With `show`: a stored query's id.")
    ] = None,
    period: Annotated[
        str | None,
        typer.Option(
            metavar="START..END",
            help="Required (except with `show`): inclusive dates, e.g. 2024-01-01..2024-12-31.",
            show_default=False,
        ),
    ] = None,
    filter_: Annotated[list[str] | None, typer.Option("--filter", help="KEY=V[,V]")] = None,
    stratify: Annotated[list[str] | None, typer.Option(help="Stratifier id.")] = None,
    param: Annotated[list[str] | None, typer.Option(help="KEY=VALUE measure parameter.")] = None,
    output_format: Annotated[str, typer.Option("--format", help="table|json|csv|fhir")] = "table",
    wait: Annotated[
        float | None,
        typer.Option(
            "--wait", min=0, help="Seconds to wait for pending nodes (default timeout_s)."
        ),
    ] = None,
) -> None:
    """Run a federated query and print the pooled result with per-country rows and node status.

    `ketanet query show --config hub.toml ID` prints a stored query as it stands now.
    """
    from app.config import load_hub_settings
    from app.hub.requests import query_from_options
    from app.hub.service import HubService

    if output_format not in {"table", "json", "csv", "fhir"}:
        typer.echo("error: --format must be table, json, csv or fhir", err=True)
        raise typer.Exit(2)
    err = Console(stderr=True)
    with exit_on_error():
        settings = load_hub_settings(config)
        if measure == SHOW:
            if query_id is None:
                raise InputError("query show: give the query's ID")
            service = HubService(settings)
            document = service.document(query_id)
        else:
            if query_id is not None:
                raise InputError(f"unexpected argument {query_id!r} (one measure per query)")
            measure_query = query_from_options(
                measure, period, filter_ or [], stratify or [], param or []
            )
            service = HubService(settings)
            document = asyncio.run(
                service.run_query(
                    measure_query,
                    actor=f"cli:{getpass.getuser()}",
                    on_reply=lambda reply: _print_reply(err, reply),
                    wait_s=settings.hub.timeout_s if wait is None else wait,
                    on_document=_progress(err),
                )
            )
        service.engine.dispose()
    _print(document, output_format)
    _exit_status(err, document, config)


def _print_reply(err: Console, reply: NodeReply) -> None:
    err.print(f"  {reply.node_id} ({reply.country}): {_status(reply.status, reply.detail)} "
              f"in {reply.elapsed_s:.2f} s", markup=False, highlight=False, soft_wrap=True)  # fmt: skip


def _progress(err: Console) -> Callable[[QueryDocument], None]:
    """Return a callback printing each node whose status changed while waiting."""
    seen: dict[str, tuple[str, str | None]] = {}

    def on_document(document: QueryDocument) -> None:
        for node in document.nodes:
            state = (node.status, node.detail)
            if seen.get(node.id) != state and (node.id in seen or node.status == "pending"):
                err.print(f"  {node.id} ({node.country}): {_status(node.status, node.detail)}",
                          markup=False, highlight=False, soft_wrap=True)  # fmt: skip
            seen[node.id] = state

    return on_document


def _status(status: str, detail: str | None) -> str:
    return f"{status} ({detail})" if status in {"pending", "denied"} and detail else status


def _print(document: QueryDocument, output_format: str) -> None:
    from app.hub.pooled_report import pooled_measure_report
    from app.hub.pooling import rows_to_csv

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


def _exit_status(err: Console, document: QueryDocument, config: Path) -> None:
    """Say how to see a running query later; exit 1 when a finished query has no ok node."""
    if document.status == "running":
        pending = [n.id for n in document.nodes if n.status == "pending"]
        typer.echo(
            f"query {document.query_id} still running ({', '.join(pending)} pending); later: "
            f"ketanet query show --config {config} {document.query_id}",
            err=True,
        )
        return
    if not any(node.status == "ok" for node in document.nodes):
        first = document.nodes[0] if document.nodes else None
        reason = (
            f"{first.id} {first.status}: {first.detail or ''}".strip()
            if first is not None else "no nodes configured"
        )  # fmt: skip
        typer.echo(f"error: no node answered ({reason})", err=True)
        raise typer.Exit(1)
