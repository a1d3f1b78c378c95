"""``ketanet node approvals list|approve|deny|deliver``: the data steward's commands.

A decision is recorded (and audited) first, then delivered to the hub's task; a delivery that
does not reach the hub is tried again by ``approvals deliver`` and by a pull node on every round.
"""

from __future__ import annotations

import asyncio
import getpass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from app.cli.output import exit_on_error, print_json, stderr_console
from app.errors import Unavailable

if TYPE_CHECKING:  # the node and its store load when a command runs
    from app.node.context import NodeContext
    from app.store.approvals import HeldRequest

DELIVERY_ATTEMPTS = 3
DELIVERY_PAUSE_S = 2.0
approvals_app = typer.Typer(help="Review requests held for the data steward; approve or deny them.")
ConfigOption = Annotated[Path, typer.Option("--config", help="node.toml")]
ByOption = Annotated[
    str | None, typer.Option("--by", help="Who decides (default: your user name).")
]


def listing(held: HeldRequest) -> dict[str, Any]:
    """Return what ``approvals list`` shows of a held request."""
    query = held.query
    return {
        "id": held.id,
        "requester": held.peer,
        "measure": held.measure,
        "period": query.get("period"),
        "filters": query.get("filters", {}),
        "strata": query.get("stratify", []),
        "parameters": query.get("parameters", {}),
        "received": held.received_at,
        "task": held.task_id,
        "status": held.status,
        "decided_by": held.decided_by,
        "decided_at": held.decided_at,
        "note": held.note,
        "delivery": held.delivery_detail,
    }


def _context(config: Path) -> NodeContext:
    from app.config import load_node_settings
    from app.node.context import build_node_context

    return build_node_context(load_node_settings(config))


@approvals_app.command("list")
def approvals_list(
    config: ConfigOption,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    everything: Annotated[
        bool, typer.Option("--all", help="Decided requests too, with their delivery.")
    ] = False,
) -> None:
    """List the requests waiting for a decision (id, requester, measure, period, …)."""
    from app.store.approvals import held_requests

    with exit_on_error():
        ctx = _context(config)
        with ctx.engine.connect() as connection:
            items = [
                listing(h)
                for h in held_requests(connection, status=None if everything else "pending")
            ]
        ctx.engine.dispose()
    if as_json:
        print_json(items)
        return
    table = Table(title="requests held for approval", title_justify="left")
    columns = [
        "id",
        "requester",
        "measure",
        "period",
        "filters",
        "strata",
        "parameters",
        "received",
    ]
    if everything:
        columns += ["status", "decided_by", "delivery"]
    for column in columns:
        table.add_column(column, no_wrap=column in {"id", "measure"}, overflow="fold")
    for item in items:
        period = item["period"] or {}
        cells = {
            **item,
            "period": f"{period.get('start')}..{period.get('end')}",
            "filters": "; ".join(f"{k}={','.join(v)}" for k, v in item["filters"].items()),
            "strata": ", ".join(item["strata"]),
            "parameters": ", ".join(f"{k}={v}" for k, v in item["parameters"].items()),
        }
        table.add_row(*(str(cells.get(column) or "") for column in columns))
    Console().print(table)


@approvals_app.command("approve")
def approvals_approve(
    config: ConfigOption,
    approval_id: Annotated[str, typer.Argument(metavar="ID", help="The approval id.")],
    by: ByOption = None,
    note: Annotated[str | None, typer.Option("--note", help="A note for the audit.")] = None,
) -> None:
    """Approve a held request: answer it now (data as of now) and deliver the answer to the hub."""
    from app.node import approvals

    with exit_on_error():
        ctx = _context(config)
        held = approvals.approve(ctx, approval_id, by=by or getpass.getuser(), note=note)
        typer.echo(
            f"approval {held.id}: approved by {held.decided_by}; answer {held.response_status}"
        )
        _deliver(ctx)


@approvals_app.command("deny")
def approvals_deny(
    config: ConfigOption,
    approval_id: Annotated[str, typer.Argument(metavar="ID", help="The approval id.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (sent to the hub).")],
    by: ByOption = None,
) -> None:
    """Deny a held request with a reason; the hub shows the node as denied, with the reason."""
    from app.node import approvals

    with exit_on_error():
        ctx = _context(config)
        held = approvals.deny(ctx, approval_id, by=by or getpass.getuser(), reason=reason)
        typer.echo(f"approval {held.id}: denied by {held.decided_by}")
        _deliver(ctx)


@approvals_app.command("deliver")
def approvals_deliver(config: ConfigOption) -> None:
    """Send decided answers the hub has not taken yet (after the hub was unreachable)."""
    with exit_on_error():
        _deliver(_context(config))


def _deliver(ctx: NodeContext) -> None:
    """Deliver every undelivered decision; raises ``Unavailable`` when one did not reach the hub."""
    from app.node.hub_link import HubLink, deliver_decisions

    async def run() -> list[tuple[str, str]]:
        outcomes: dict[str, str] = {}
        async with HubLink(ctx) as link:
            for attempt in range(DELIVERY_ATTEMPTS):
                if attempt:
                    await asyncio.sleep(DELIVERY_PAUSE_S)  # e.g. the hub is still sending it
                outcomes |= dict(await deliver_decisions(ctx, link))
                if not any(outcome.startswith("not") for outcome in outcomes.values()):
                    break
        return list(outcomes.items())

    try:
        outcomes = asyncio.run(run())
    finally:
        ctx.engine.dispose()
    failed = [(approval, outcome) for approval, outcome in outcomes if outcome.startswith("not")]
    for approval, outcome in outcomes:
        typer.echo(f"approval {approval}: {outcome}")
    if failed:
        stderr_console().print(
            "the decision is recorded; `ketanet node approvals deliver` (or a pull node) tries again",
            markup=False,
        )
        raise Unavailable(f"{len(failed)} decision(s) not delivered to the hub")
