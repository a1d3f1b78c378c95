"""Load on a real network: concurrent federated queries through the hub API, concurrent signed
evaluations on one node. Shared by ``bench/bench_load.py`` (full size) and ``test_load`` (reduced).

Every server is a real uvicorn server on 127.0.0.1 with real keys and SQLite databases; clients
are real HTTP clients. The figures are counts and latency percentiles; nothing here compares a
time with a threshold.
"""

from __future__ import annotations

import asyncio
import re
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson

from app.cli.init import scaffold_hub
from app.cli.provision import provision_node
from app.cli.servers import ServerThread, free_port
from app.config import HubSettings, NodeSettings, load_hub_settings, load_node_settings
from app.database import create_store_engine
from app.hub.app import create_hub_app
from app.hub.tokens import TokenRegistry
from app.node.app import create_node_app
from app.trust.audit import AuditLog
from app.trust.httpx_auth import SignedRequestAuth
from app.trust.keys import SigningKey, load_signing_key

COUNTRIES = (("no", "NO"), ("de", "DE"), ("pt", "PT"))
QUERIES = (
    {"measure": "treated-patients", "stratify": ["route"]},
    {"measure": "administrations", "stratify": ["drug"]},
    {"measure": "adverse-events", "stratify": ["drug"]},
    {"measure": "treated-patients", "stratify": ["sex", "age-band"]},
)
FHIR = "application/fhir+json"
_NONCE = re.compile(r';nonce="([^"]+)"')


@dataclass
class Figures:
    """What one load phase measured."""

    calls: int = 0
    errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)
    latencies_s: list[float] = field(default_factory=list)
    wall_s: float = 0.0

    def failed(self, kind: str) -> None:
        """Count one failed call of ``kind``."""
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1

    def summary(self) -> dict[str, Any]:
        """Return calls, errors, throughput and p50/p95/p99 latency in ms."""
        ordered = sorted(self.latencies_s)

        def pct(p: float) -> float:
            if not ordered:
                return 0.0
            return round(1000 * ordered[min(len(ordered) - 1, int(p * len(ordered)))], 1)

        return {
            "calls": self.calls,
            "errors": self.errors,
            "error_kinds": self.error_kinds,
            "per_s": round(self.calls / self.wall_s, 1) if self.wall_s else 0.0,
            "p50_ms": pct(0.50),
            "p95_ms": pct(0.95),
            "p99_ms": pct(0.99),
            "mean_ms": round(1000 * statistics.fmean(ordered), 1) if ordered else 0.0,
        }


@dataclass
class LoadNetwork:
    """Running nodes and hub of a load run."""

    root: Path
    hub: HubSettings
    nodes: list[NodeSettings]
    hub_url: str
    node_urls: dict[str, str]
    token: str
    hub_key: SigningKey
    servers: list[ServerThread]

    def stop(self) -> None:
        """Stop every server."""
        for server in self.servers:
            server.stop()

    def audit_chains_intact(self) -> dict[str, bool]:
        """Return, per service, whether its audit chain verifies."""
        intact = {}
        for settings in self.nodes:
            engine = create_store_engine(settings.node.database_url)
            intact[settings.node.id] = AuditLog(engine).verify().ok
            engine.dispose()
        engine = create_store_engine(self.hub.hub.database_url)
        intact["hub"] = AuditLog(engine).verify().ok
        engine.dispose()
        return intact


def start_network(root: Path, *, patients: int, nodes: int, concurrency: int) -> LoadNetwork:
    """Provision and serve ``nodes`` nodes and a hub that lets one analyst run ``concurrency``."""
    hub_config = scaffold_hub(root / "hub", port=free_port())
    node_settings = []
    for index, (node_id, country) in enumerate(COUNTRIES[:nodes]):
        config, _report = provision_node(
            root, node_id=node_id, country=country, patients=patients, seed=70 + index,
            hub_config=hub_config, formats="csv",
        )  # fmt: skip
        settings = load_node_settings(config)
        # The hub is one peer asking many similar questions: its per-peer rate and the
        # near-duplicate guard (periods a day apart) are not what is measured here.
        limits = settings.limits.model_copy(update={"rate_per_minute": 1_000_000})
        policy = settings.disclosure.model_copy(update={"refuse_near_duplicates": False})
        node_settings.append(settings.model_copy(update={"limits": limits, "disclosure": policy}))
    hub = load_hub_settings(hub_config)
    hub = hub.model_copy(
        update={"hub": hub.hub.model_copy(update={"max_running_queries_per_analyst": concurrency})}
    )
    servers = [
        ServerThread(create_node_app(s), s.node.port, name=s.node.id).start() for s in node_settings
    ]
    servers.append(ServerThread(create_hub_app(hub), hub.hub.port, name="hub").start())
    return LoadNetwork(
        root=root,
        hub=hub,
        nodes=node_settings,
        hub_url=servers[-1].url,
        node_urls={
            s.node.id: server.url for s, server in zip(node_settings, servers, strict=False)
        },
        token=TokenRegistry.from_file(hub.hub.api_token_file).first_token(),
        hub_key=load_signing_key(hub.hub.signing_key),
        servers=servers,
    )


async def hub_queries(network: LoadNetwork, *, concurrency: int, duration_s: float) -> Figures:
    """Run ``concurrency`` analysts' query loops through the hub API for ``duration_s``."""
    figures = Figures()
    headers = {"Authorization": f"Bearer {network.token}"}
    deadline = time.monotonic() + duration_s

    async def analyst(client: httpx.AsyncClient, number: int) -> None:
        turn = number
        while time.monotonic() < deadline:
            spec = QUERIES[turn % len(QUERIES)]
            turn += 1
            # one period per analyst and turn: most answers are computed, not cached
            year = 2020 + turn % 6
            body = {**spec, "period": {"start": f"{year}-01-01", "end": f"{year}-12-31"}}
            started = time.perf_counter()
            figures.calls += 1
            response = await client.post("/api/queries", json=body, headers=headers)
            if response.status_code != 202:
                figures.failed(f"start {response.status_code}")
                continue
            href = response.json()["href"]
            while True:
                document = (await client.get(href, headers=headers)).json()
                if document.get("status") != "running":
                    break
                await asyncio.sleep(0.02)
            figures.latencies_s.append(time.perf_counter() - started)
            statuses = {node["status"] for node in document["nodes"]}
            if statuses != {"ok"}:
                figures.failed("node " + ",".join(sorted(statuses - {"ok"})))

    started = time.perf_counter()
    limits = httpx.Limits(max_connections=concurrency * 2)
    async with httpx.AsyncClient(base_url=network.hub_url, timeout=120, limits=limits) as client:
        await asyncio.gather(*(analyst(client, n) for n in range(concurrency)))
    figures.wall_s = time.perf_counter() - started
    return figures


async def node_evaluations(network: LoadNetwork, *, calls: int) -> tuple[Figures, list[str]]:
    """Send ``calls`` signed ``$evaluate-measure`` requests to the first node at once.

    Returns the figures and the nonce of every request sent (to check they are unique).
    """
    figures = Figures()
    nonces: list[str] = []
    url = f"{network.node_urls[network.nodes[0].node.id]}/fhir/Measure/$evaluate-measure"

    def body(number: int) -> bytes:
        spec = QUERIES[number % len(QUERIES)]
        day = 1 + number % 28
        parts: list[dict[str, Any]] = [
            {
                "name": "measure",
                "valueCanonical": f"https://ketanet.org/fhir/Measure/{spec['measure']}",
            },
            {"name": "periodStart", "valueDate": f"2023-01-{day:02d}"},
            {"name": "periodEnd", "valueDate": "2025-06-30"},
            *({"name": "stratifier", "valueCode": key} for key in spec["stratify"]),
        ]
        return orjson.dumps({"resourceType": "Parameters", "parameter": parts})

    async def one(client: httpx.AsyncClient, number: int) -> None:
        started = time.perf_counter()
        figures.calls += 1
        response = await client.post(
            url, content=body(number), headers={"content-type": FHIR},
            auth=SignedRequestAuth(network.hub_key),
        )  # fmt: skip
        figures.latencies_s.append(time.perf_counter() - started)
        match = _NONCE.search(response.request.headers.get("signature-input", ""))
        if match:
            nonces.append(match.group(1))
        if response.status_code != 200:
            figures.failed(f"HTTP {response.status_code}")

    started = time.perf_counter()
    limits = httpx.Limits(max_connections=calls)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        await asyncio.gather(*(one(client, n) for n in range(calls)))
    figures.wall_s = time.perf_counter() - started
    return figures, nonces
