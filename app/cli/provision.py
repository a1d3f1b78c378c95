"""Provision a node with synthetic data and join it to a hub: the demo's (and tests') building block."""

from __future__ import annotations

from pathlib import Path

from app.cli.init import scaffold_node
from app.cli.peers import add_node, add_peer
from app.cli.servers import free_port
from app.config import load_node_settings, read_secret
from app.database import create_store_engine
from app.ingest import IngestReport, ingest_export
from app.store import upgrade_schema
from app.synth import ExportFormat, TravellerOptions, write_synthetic_export


def ingest_folder(config: Path, source: Path) -> IngestReport:
    """Ingest ``source`` into the node of ``config`` with its own secrets and time zone."""
    settings = load_node_settings(config)
    linkage = settings.node.linkage_secret
    engine = create_store_engine(settings.node.database_url)
    try:
        upgrade_schema(engine)
        return ingest_export(
            engine=engine,
            paths=[source],
            secret=read_secret(settings.node.pseudonym_secret),
            timezone=settings.node.timezone,
            linkage_secret=read_secret(linkage) if linkage is not None else None,
        )
    finally:
        engine.dispose()


def provision_node(
    root: Path,
    *,
    node_id: str,
    country: str,
    patients: int,
    seed: int,
    export: str = "csv",
    hub_config: Path | None = None,
    grants: tuple[str, ...] = ("aggregate",),
    formats: ExportFormat = "both",
    linkage_secret: Path | None = None,
    travellers: TravellerOptions | None = None,
) -> tuple[Path, IngestReport]:
    """Scaffold ``root/node_id``, ingest a synthetic export (``csv`` or ``fhir``) and, with a hub,
    exchange keys both ways; return the node's config and the ingest report.

    ``linkage_secret`` (the network's) gives the node linkage tokens; ``travellers`` draws some
    of its patients from the network's traveller pool (patients treated in several countries).
    """
    node_dir = root / node_id
    config = scaffold_node(
        node_dir, node_id=node_id, country=country, port=free_port(), linkage_secret=linkage_secret
    )
    write_synthetic_export(
        country=country,
        patients=patients,
        seed=seed,
        out_dir=node_dir / "export",
        formats=formats,
        travellers=travellers,
    )
    report = ingest_folder(config, node_dir / "export" / export)
    if hub_config is not None:
        add_peer(
            config, name="hub", jwk=hub_config.parent / "keys" / "hub.jwk.json", grants=list(grants)
        )
        add_node(
            hub_config,
            node_id=node_id,
            country=country,
            url=load_node_settings(config).node.public_url,
            jwk=node_dir / "keys" / f"{node_id}.jwk.json",
        )
    return config, report
