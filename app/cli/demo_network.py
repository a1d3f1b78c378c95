"""The demo network: keys, exports, ingest, nodes, hub, queries (run by ``ketanet demo``).

The second node runs in pull mode (outbound only: no listening socket) and the third holds
``efficacy`` queries for its data steward, whom the demo plays once the pending state is shown
(docs/governance.md).
"""

from __future__ import annotations

import asyncio
import secrets
import shutil
import time
from pathlib import Path
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from app.cli.demo import COUNTRIES
from app.cli.init import scaffold_hub, write_private_text
from app.cli.output import exit_on_error
from app.cli.provision import govern_node, provision_node
from app.cli.pull import PullNodeThread
from app.cli.render import (
    format_estimate,
    format_parameters,
    render_footer,
    render_heading,
    render_measure,
)
from app.cli.servers import ServerThread, free_port
from app.config import load_hub_settings, load_node_settings
from app.errors import ConfigError
from app.exchange.query import MeasureQuery
from app.hub.app import create_hub_app
from app.hub.document import QueryDocument
from app.hub.requests import query_from_request
from app.hub.service import HubService
from app.hub.tokens import TokenRegistry
from app.node import approvals
from app.node.app import create_node_app
from app.node.context import build_node_context
from app.node.hub_link import HubLink, deliver_decisions
from app.synth import TravellerOptions

MARKER = ".ketanet-demo"
PERIOD = {"start": "2024-01-01", "end": "2025-12-31"}
STEWARD = "demo steward"

STANDARD_QUERIES: tuple[dict[str, Any], ...] = (
    # First, so that the others' double-counting caveat can name the measured overlap.
    {"measure": "cross-border-overlap"},
    {"measure": "safety-signals"},
    {"measure": "review-intervals"},
    {"measure": "treated-patients", "stratify": ["route"]},
    {"measure": "administrations", "stratify": ["drug"]},
    {"measure": "adverse-events", "stratify": ["event"]},
    {"measure": "efficacy", "parameters": {"instrument": "MADRS", "timepoint": "day28"}},
    {"measure": "efficacy", "parameters": {"instrument": "PHQ9", "timepoint": "day7"}},
    {"measure": "discontinuations", "stratify": ["reason"]},
    {"measure": "guideline-adherence", "parameters": {"max-take-home-mg": 300}},
    {
        "measure": "patient-experience",
        "stratify": ["answer"],
        "parameters": {"item": "experience-acceptable"},
    },
    {"measure": "informed-consent"},
)
TRAVELLERS = TravellerOptions(share=0.06, network_seed=2024)
"""Some demo patients are treated in two or more countries (the overlap measure finds them)."""


def _prepare_folder(directory: Path) -> None:
    if directory.exists():
        if not (directory / MARKER).exists() and any(directory.iterdir()):
            raise ConfigError(f"{directory} exists and is not a demo folder; choose another --dir")
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    (directory / MARKER).write_text("created by ketanet demo; deleted by the next demo run\n")


def build_network(directory: Path, *, nodes: int, patients: int, console: Console) -> Path:
    """Scaffold a hub and ``nodes`` nodes with synthetic data ingested; return hub.toml."""
    _prepare_folder(directory)
    hub_config = scaffold_hub(directory / "hub", port=free_port())
    # The governance body's linkage secret: every node gets it, the hub never does.
    linkage = directory / "governance" / "linkage.secret"
    write_private_text(linkage, secrets.token_hex(32) + "\n")
    for spec in COUNTRIES[:nodes]:
        size = max(20, round(patients * spec.size))
        config, report = provision_node(
            directory,
            node_id=spec.node_id,
            country=spec.country,
            patients=size,
            seed=spec.seed,
            export=spec.export,
            hub_config=hub_config,
            linkage_secret=linkage,
            travellers=TRAVELLERS,
        )
        if spec.mode != "push" or spec.manual:
            govern_node(config, hub_config, mode=spec.mode, manual=spec.manual)
        governance = "; pull mode" if spec.mode == "pull" else ""
        if spec.manual:
            governance += f"; steward approves {', '.join(spec.manual)}"
        console.print(
            f"  {spec.country}: {size:,} patients synthesised, {report.total_inserted:,} records "
            f"ingested from {spec.export.upper()} export{governance}"
        )
    return hub_config


def start_servers(directory: Path, hub_config: Path) -> list[ServerThread | PullNodeThread]:
    """Start the hub and every node on loopback (pull nodes: no socket); return them, hub last."""
    hub_settings = load_hub_settings(hub_config)
    hub = ServerThread(create_hub_app(hub_settings), hub_settings.hub.port, name="hub").start()
    servers: list[ServerThread | PullNodeThread] = []
    for node in hub_settings.nodes:
        settings = load_node_settings(directory / node.id / "node.toml")
        if node.mode == "pull":
            servers.append(PullNodeThread(settings).start())
            continue
        servers.append(
            ServerThread(create_node_app(settings), settings.node.port, name=node.id).start()
        )
    return [*servers, hub]


def _summary(documents: list[dict[str, Any]]) -> Table:
    table = Table(
        title="International safety and efficacy summary (ALL countries)",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("figure", overflow="fold", ratio=1, min_width=33)
    table.add_column("estimate", justify="right", no_wrap=True)
    table.add_column("95% interval", justify="right", no_wrap=True)
    table.add_column("countries", overflow="fold")
    wanted = {
        "events-per-1000-administrations",
        "patients-with-event-per-100",
        "response",
        "remission",
        "response-meta",
        "remission-meta",
        "discontinued",
        "short-interval",
        "take-home",
    }
    for document in documents:
        label = document["measure"]
        parameters = {
            k: v for k, v in (document.get("parameters") or {}).items() if k != "max-take-home-mg"
        }
        if parameters:
            label += f" ({format_parameters(parameters)})"
        heading = False
        for stat in document.get("statistics", []):
            if (
                stat["country"] != "ALL"
                or stat.get("stratifier")
                or stat["statistic"] not in wanted
            ):
                continue
            if not heading:
                table.add_row(label, "", "", "", style="bold")
                heading = True
            estimate = stat.get("estimate")
            if estimate is None:
                low, high = stat.get("lower_bound"), stat.get("upper_bound")
                shown = "bounded" if low is None or high is None else f"[{low:.3g}–{high:.3g}]"
                interval = "withheld inputs"
            else:
                shown = format_estimate(estimate)
                interval = f"{format_estimate(stat['ci_low'])}–{format_estimate(stat['ci_high'])}"
            countries = " ".join(stat.get("countries") or [])
            table.add_row(f"  {stat['statistic']}", shown, interval, countries)
    return table


def run_standard_queries(hub_config: Path, console: Console) -> list[dict[str, Any]]:
    """Run the standard query set through the hub service; return the documents."""
    service = HubService(load_hub_settings(hub_config))
    documents = []
    for spec in STANDARD_QUERIES:
        query = query_from_request({"period": PERIOD, **spec})
        document = asyncio.run(_ask(service, query, hub_config.parent.parent, console))
        render_measure(document.model_dump(), console)
        console.print()
        documents.append(document.model_dump())
    service.engine.dispose()
    render_footer(documents, console)
    console.print()
    return documents


async def _ask(
    service: HubService, query: MeasureQuery, directory: Path, console: Console
) -> QueryDocument:
    """Ask every node; show a query its stewards hold, approve it as they would, then wait."""
    document = await service.run_query(query, actor="demo", wait_s=0)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and any(
        n.status == "pending" and n.detail != "awaiting-approval" for n in document.nodes
    ):  # the pull nodes fetch their tasks meanwhile
        await asyncio.sleep(0.2)
        document = await asyncio.to_thread(service.document, document.query_id)
    held = [n.id for n in document.nodes if n.detail == "awaiting-approval"]
    if not held:  # an overlap query still waits for the hub server's relay
        return await service.tasks.wait_final(document.query_id, 60)
    render_heading(document.model_dump(), console)
    for node in document.nodes:
        if node.status == "pending":
            console.print(f"  {node.id} ({node.country}): pending ({node.detail})", markup=False)
    for node_id in held:
        console.print(
            f"[bold]{node_id}[/bold]: its data steward reviews the held request; the demo "
            f"approves it now (`ketanet node approvals approve --config {node_id}/node.toml ID`)"
        )
        await asyncio.to_thread(_approve_everything, directory / node_id / "node.toml")
    return await service.tasks.wait_final(document.query_id, 60)


def _approve_everything(config: Path) -> None:
    """Approve every held request of a node as its steward, and deliver the answers."""
    ctx = build_node_context(load_node_settings(config))
    try:
        for held in approvals.pending(ctx):
            approvals.approve(ctx, held.id, by=STEWARD, note="approved by ketanet demo")

        async def deliver() -> None:
            async with HubLink(ctx) as link:
                await deliver_decisions(ctx, link)

        asyncio.run(deliver())
    finally:
        ctx.engine.dispose()


def run_demo(*, nodes: int, patients: int, serve: bool, directory: Path) -> None:
    """Build the network, start it, run the standard measures; serve until Ctrl-C if ``serve``."""
    console = Console()
    started = time.perf_counter()
    servers: list[ServerThread | PullNodeThread] = []
    with exit_on_error():
        try:
            console.rule("KetaNet demo: building the network")
            hub_config = build_network(directory, nodes=nodes, patients=patients, console=console)
            servers = start_servers(directory, hub_config)
            for server in servers:
                if isinstance(server, PullNodeThread):
                    console.print(f"  {server.name} pull mode: fetches its tasks, no socket")
                else:
                    console.print(f"  {server.thread.name} serving on {server.url}")
            console.rule("Standard measures, period 2024-01-01..2025-12-31")
            documents = run_standard_queries(hub_config, console)
            console.print(_summary(documents))
            console.print(f"[dim]demo finished in {time.perf_counter() - started:.1f} s[/dim]")
            if serve:
                hub = load_hub_settings(hub_config).hub
                token = TokenRegistry.from_file(hub.api_token_file)
                console.print(
                    f"Dashboard: {hub.audience}/#token={token.first_token()}  (API bearer token "
                    f"in {directory / 'hub' / 'keys' / 'hub.token'}); Ctrl-C stops."
                )
                while True:
                    time.sleep(1)
        except KeyboardInterrupt:
            console.print("stopping")
        finally:
            for server in servers:  # the nodes first (a pull node must not outlive the hub)
                server.stop()
