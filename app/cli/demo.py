"""``ketanet demo``: a whole network on one machine — keys, exports, ingest, nodes, hub, queries.

The second node runs in pull mode (outbound only: no listening socket) and the third holds
``efficacy`` queries for its data steward, whom the demo plays once the pending state is shown
(docs/governance.md). The network itself lives in ``app.cli.demo_network``, imported when the
command runs: its help loads neither the hub nor the node.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from app.config import DeliveryMode


@dataclass(frozen=True)
class DemoCountry:
    """One demo node: id, country, size relative to ``--patients``, seed, export format, how
    tasks reach it and the measures its data steward approves."""

    node_id: str
    country: str
    size: float
    seed: int
    export: str
    mode: DeliveryMode = "push"
    manual: tuple[str, ...] = ()


COUNTRIES = (
    DemoCountry("no", "NO", 1.0, 11, "csv"),
    DemoCountry("de", "DE", 1.6, 12, "csv", mode="pull"),
    DemoCountry("pt", "PT", 0.55, 13, "fhir", manual=("efficacy",)),
    DemoCountry("se", "SE", 0.8, 14, "csv"),
    DemoCountry("dk", "DK", 0.45, 15, "fhir"),
    DemoCountry("nl", "NL", 1.2, 16, "csv"),
)


def demo(
    nodes: Annotated[int, typer.Option(min=1, max=len(COUNTRIES), help="Number of nodes.")] = 3,
    patients: Annotated[int, typer.Option(min=20, help="Patients of a typical country.")] = 2000,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the dashboard after.")
    ] = True,
    directory: Annotated[Path, typer.Option("--dir", help="Working folder (recreated).")] = Path(
        "ketanet-demo"
    ),
) -> None:
    """Run the whole network on this machine, print the standard measures, serve the dashboard."""
    from app.cli.demo_network import run_demo

    run_demo(nodes=nodes, patients=patients, serve=serve, directory=directory)
