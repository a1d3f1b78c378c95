"""Build a small real network for end-to-end tests: nodes and a hub as uvicorn servers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from app.cli.init import scaffold_hub, scaffold_node
from app.cli.peers import add_node, add_peer
from app.cli.servers import ServerThread, free_port
from app.config import HubSettings, NodeEntry, NodeSettings, load_hub_settings, load_node_settings
from app.database import create_store_engine
from app.ingest import ingest_export
from app.node.app import create_node_app
from app.store import upgrade_schema
from app.synth import write_synthetic_export

EXACT = {"perturbation": "none", "refuse_near_duplicates": False, "value_lists": True}
"""Exact counts for a trusted peer: what a federated result equal to a central one needs."""

SPECS = (
    ("no", "NO", 160, 101, "csv"),
    ("de", "DE", 230, 102, "csv"),
    ("pt", "PT", 110, 103, "fhir"),
)


@dataclass
class Network:
    """Node configs, a central database holding the union of the exports, and running servers."""

    root: Path
    hub_config: Path
    node_configs: dict[str, Path]
    central_url: str
    servers: list[ServerThread] = field(default_factory=list)

    def node_settings(self, node_id: str, **disclosure: object) -> NodeSettings:
        """Return a node's settings with disclosure overrides and a fresh port and audience."""
        settings = load_node_settings(self.node_configs[node_id])
        port = free_port()
        node = settings.node.model_copy(
            update={"port": port, "public_url": f"http://127.0.0.1:{port}"}
        )
        policy = settings.disclosure.model_copy(update=disclosure)
        return settings.model_copy(update={"node": node, "disclosure": policy})

    def serve_node(self, settings: NodeSettings) -> NodeEntry:
        """Start a node server for ``settings``; return the hub's entry for it."""
        self.servers.append(
            ServerThread(
                create_node_app(settings), settings.node.port, name=settings.node.id
            ).start()
        )
        base = load_hub_settings(self.hub_config).nodes
        entry = next(n for n in base if n.id == settings.node.id)
        return entry.model_copy(update={"url": settings.node.public_url})

    def hub_settings(self, nodes: list[NodeEntry], **hub: object) -> HubSettings:
        """Return hub settings querying ``nodes``."""
        settings = load_hub_settings(self.hub_config)
        return settings.model_copy(
            update={"nodes": nodes, "hub": settings.hub.model_copy(update=hub)}
        )

    def stop(self) -> None:
        """Stop every server started."""
        for server in self.servers:
            server.stop()


def build_network(root: Path) -> Iterator[Network]:
    """Scaffold hub and nodes, synthesise and ingest exports, and a central union database."""
    hub_config = scaffold_hub(root / "hub", port=free_port())
    central_url = f"sqlite:///{root / 'central.db'}"
    central = create_store_engine(central_url)
    upgrade_schema(central)
    configs: dict[str, Path] = {}
    for node_id, country, patients, seed, export in SPECS:
        config = scaffold_node(root / node_id, node_id=node_id, country=country, port=free_port())
        write_synthetic_export(
            country=country, patients=patients, seed=seed, out_dir=root / node_id / "export"
        )
        settings = load_node_settings(config)
        engine = create_store_engine(settings.node.database_url)
        upgrade_schema(engine)
        paths = [root / node_id / "export" / export]
        secret = settings.node.pseudonym_secret.read_bytes().strip()
        ingest_export(engine=engine, paths=paths, secret=secret, timezone="UTC")
        engine.dispose()
        # the central database holds the union (one secret: pseudonyms only need to be consistent)
        ingest_export(engine=central, paths=paths, secret=b"c" * 32, timezone="UTC")
        add_peer(
            config,
            name="hub",
            jwk=root / "hub" / "keys" / "hub.jwk.json",
            grants=["aggregate", "record"],
        )
        add_node(
            hub_config,
            node_id=node_id,
            country=country,
            url=settings.node.public_url,
            jwk=root / node_id / "keys" / f"{node_id}.jwk.json",
        )
        configs[node_id] = config
    central.dispose()
    network = Network(
        root=root, hub_config=hub_config, node_configs=configs, central_url=central_url
    )
    try:
        yield network
    finally:
        network.stop()
