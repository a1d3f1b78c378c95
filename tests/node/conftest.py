"""Shared fixture: a real node server with a synthetic registry, a hub key and a record reader."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.cli.init import scaffold_hub
from app.cli.peers import add_peer
from app.cli.provision import provision_node
from app.cli.servers import ServerThread, free_port
from app.config import load_node_settings
from app.node.app import create_node_app
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
    hub_config = scaffold_hub(root / "hub", port=free_port())
    config, _report = provision_node(
        root, node_id="no", country="NO", patients=120, seed=5, hub_config=hub_config, formats="csv"
    )
    write_key_pair(root / "other", "stranger")
    write_key_pair(root / "other", "reader")
    add_peer(config, name="reader", jwk=root / "other" / "reader.jwk.json", grants=["record"])
    settings = load_node_settings(config)
    port = settings.node.port
    server = ServerThread(create_node_app(settings), port, name="no").start()
    yield {
        "url": server.url,
        "settings": settings,
        "hub_config": hub_config,
        "hub_key": load_signing_key(root / "hub" / "keys" / "hub.pem"),
        "stranger_key": load_signing_key(root / "other" / "stranger.pem"),
        "reader_key": load_signing_key(root / "other" / "reader.pem"),
    }
    server.stop()
