"""Node failures: each reported with its status while the other nodes are still pooled."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from app.cli.servers import ServerThread, free_port
from app.config import PeerConfig
from app.hub.requests import query_from_request
from app.hub.service import HubService
from tests.e2e.network import EXACT, Network, build_network

pytestmark = pytest.mark.e2e
QUERY = {
    "measure": "treated-patients",
    "period": {"start": "2024-01-01", "end": "2025-06-30"},
    "stratify": ["route"],
}


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Network]:
    yield from build_network(tmp_path_factory.mktemp("failures"))


def _sleeping_node(network: Network, delay_s: float) -> str:
    app = FastAPI()

    @app.post("/fhir/Measure/$evaluate-measure")
    async def slow() -> JSONResponse:
        await asyncio.sleep(delay_s)
        return JSONResponse({"resourceType": "OperationOutcome"})

    port = free_port()
    network.servers.append(ServerThread(app, port, name="sleepy").start())
    return f"http://127.0.0.1:{port}"


def test_each_failure_reported_and_the_rest_pooled(network: Network) -> None:
    healthy = network.serve_node(network.node_settings("no", min_cell=1, **EXACT))
    # unreachable: nothing listens on the port
    stopped = healthy.model_copy(
        update={"id": "down", "country": "SE", "url": f"http://127.0.0.1:{free_port()}"}
    )
    # timeout: answers after the hub's time budget
    sleepy = healthy.model_copy(
        update={"id": "slow", "country": "DK", "url": _sleeping_node(network, 3.0)}
    )
    # bad-signature: the hub pins a key that is not the one the node signs with
    de = network.serve_node(network.node_settings("de", min_cell=1, **EXACT))
    pt_key = json.loads((network.root / "pt" / "keys" / "pt.jwk.json").read_text())
    impostor = de.model_copy(update={"jwks": [pt_key]})
    # refused: the node trusts the hub's key but grants it no aggregate queries
    pt_settings = network.node_settings("pt", min_cell=1, **EXACT)
    hub_peer = pt_settings.peers[0]
    pt_settings = pt_settings.model_copy(
        update={"peers": [PeerConfig(name="hub", jwks=hub_peer.jwks, grants=["record"])]}
    )
    refusing = network.serve_node(pt_settings)

    service = HubService(
        network.hub_settings([healthy, stopped, sleepy, impostor, refusing], timeout_s=1.0)
    )
    document = asyncio.run(service.run_query(query_from_request(QUERY), actor="test")).model_dump()

    statuses = {node["id"]: node["status"] for node in document["nodes"]}
    assert statuses == {
        "no": "ok",
        "down": "unreachable",
        "slow": "timeout",
        "de": "bad-signature",
        "pt": "refused",
    }
    refused = next(node for node in document["nodes"] if node["id"] == "pt")
    assert "aggregate" in (refused["detail"] or "")
    no_total = next(r for r in document["rows"] if r["country"] == "NO" and r["stratifier"] is None)
    all_total = next(
        r for r in document["rows"] if r["country"] == "ALL" and r["stratifier"] is None
    )
    assert all_total["count"] == no_total["count"] > 0
    assert {r["country"] for r in document["rows"]} == {"NO", "ALL"}
