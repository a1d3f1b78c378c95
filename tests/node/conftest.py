"""Shared fixture: a real node server with a synthetic registry, a hub key and a record reader."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.cli.init import scaffold_hub, scaffold_node
from app.cli.peers import add_peer
from app.cli.servers import ServerThread, free_port
from app.config import load_node_settings
from app.database import create_store_engine
from app.ingest import ingest_export
from app.node.app import create_node_app
from app.store import upgrade_schema
from app.synth import write_synthetic_export
from app.trust.keys import load_signing_key, write_key_pair

FHIR = "application/fhir+json"


def parameters(measure: str = "treated-patients", **extra: Any) -> dict[str, Any]:
    parts: list[dict[str, Any]] = [
        {"name": "measure", "valueCanonical": f"https://ketanet.org/fhir/Measure/{measure}"},
        {"name": "periodStart", "valueDate": extra.pop("start", "2024-01-01")},
        {"name": "periodEnd", "valueDate": extra.pop("end", "2025-06-30")},
    ]
    for stratifier in extra.pop("stratify", []):
        parts.append({"name": "stratifier", "valueCode": stratifier})
    for item in extra.pop("filters", []):
        parts.append({"name": "filter", "valueString": item})
    return {"resourceType": "Parameters", "parameter": parts}


@pytest.fixture(scope="package")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root: Path = tmp_path_factory.mktemp("node")
    port = free_port()
    config = scaffold_node(root / "no", node_id="no", country="NO", port=port)
    scaffold_hub(root / "hub", port=free_port())
    write_key_pair(root / "other", "stranger")
    write_key_pair(root / "other", "reader")
    add_peer(config, name="hub", jwk=root / "hub" / "keys" / "hub.jwk.json", grants=["aggregate"])
    add_peer(config, name="reader", jwk=root / "other" / "reader.jwk.json", grants=["record"])
    write_synthetic_export(
        country="NO", patients=120, seed=5, out_dir=root / "export", formats="csv"
    )
    settings = load_node_settings(config)
    engine = create_store_engine(settings.node.database_url)
    upgrade_schema(engine)
    ingest_export(
        engine=engine,
        paths=[root / "export" / "csv"],
        secret=settings.node.pseudonym_secret.read_bytes().strip(),
        timezone="UTC",
    )
    engine.dispose()
    server = ServerThread(create_node_app(settings), port, name="no").start()
    yield {
        "url": server.url,
        "settings": settings,
        "hub_key": load_signing_key(root / "hub" / "keys" / "hub.pem"),
        "stranger_key": load_signing_key(root / "other" / "stranger.pem"),
        "reader_key": load_signing_key(root / "other" / "reader.pem"),
    }
    server.stop()
