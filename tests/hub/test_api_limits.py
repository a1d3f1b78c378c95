"""The hub API bounds what an analyst may ask: periods, request sizes and types, running queries."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from app.cli.init import scaffold_hub
from app.cli.peers import add_node
from app.cli.servers import ServerThread, free_port
from app.config import load_hub_settings
from app.hub.app import create_hub_app
from app.hub.tokens import TokenRegistry
from app.trust.keys import write_key_pair

PERIOD = {"start": "2024-01-01", "end": "2024-12-31"}


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[dict[str, Any]]:
    """A hub whose one node holds every request until ``release`` is set."""
    release = threading.Event()
    node = FastAPI()

    @node.post("/fhir/Measure/$evaluate-measure")
    async def held() -> JSONResponse:
        await asyncio.to_thread(release.wait, 30)
        return JSONResponse({"resourceType": "OperationOutcome"}, status_code=400)

    port = free_port()
    server = ServerThread(node, port, name="held").start()
    config = scaffold_hub(tmp_path / "hub", port=free_port())
    write_key_pair(tmp_path / "no", "no")
    add_node(
        config, node_id="no", country="NO", url=server.url, jwk=tmp_path / "no" / "no.jwk.json"
    )
    settings = load_hub_settings(config)
    settings = settings.model_copy(
        update={"hub": settings.hub.model_copy(update={"max_running_queries_per_analyst": 2})}
    )
    token = TokenRegistry.from_file(settings.hub.api_token_file).first_token()
    app = create_hub_app(settings)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
        yield {"client": client, "headers": {"Authorization": f"Bearer {token}"}, "app": app,
               "release": release}  # fmt: skip
    release.set()
    server.stop()
    app.state.service.engine.dispose()


def _diagnostics(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    return str(outcome["issue"][0]["diagnostics"])


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"period": {"start": "0001-01-01", "end": "2024-12-31"}}, "period.start: must be on or"),
        ({"period": {"start": "2024-01-01", "end": "9999-12-31"}}, "period.end: must be on or"),
        ({"filters": {"route": [{"$ne": 1}]}}, "filters: expected {key: [values]}"),
        ({"filters": {"route": ["iv"] * 51}}, "at most 50 values each"),
        ({"stratify": ["route"] * 51}, "stratify: at most 50 entries"),
        ({"stratify": ["x" * 101]}, "stratify: expected a list of stratifier ids"),
        ({"measure": "m" * 101}, "measure: 1 to 100 characters"),
        ({"parameters": {"max-take-home-mg": [300]}}, "must be a code or a number"),
    ],
)
async def test_request_outside_its_bounds_is_400(
    hub: dict[str, Any], body: dict[str, Any], fragment: str
) -> None:
    query = {"measure": "treated-patients", "period": PERIOD, **body}
    response = await hub["client"].post("/api/queries", json=query, headers=hub["headers"])
    assert fragment in _diagnostics(response, 400)


async def test_an_analyst_has_a_bounded_number_of_running_queries(hub: dict[str, Any]) -> None:
    client, headers = hub["client"], hub["headers"]
    query = {"measure": "treated-patients", "period": PERIOD}
    first = [await client.post("/api/queries", json=query, headers=headers) for _ in range(2)]
    assert [r.status_code for r in first] == [202, 202]
    refused = await client.post("/api/queries", json=query, headers=headers)
    assert "queries of yours are still being sent" in _diagnostics(refused, 429)
    assert int(refused.headers["retry-after"]) >= 1
    hub["release"].set()
    service = hub["app"].state.service
    while any(service._sending.values()):
        await asyncio.sleep(0.05)
    again = await client.post("/api/queries", json=query, headers=headers)
    assert again.status_code == 202, again.text


async def test_health_reads_the_hub_database(hub: dict[str, Any]) -> None:
    client = hub["client"]
    assert (await client.get("/health")).json() == {"status": "ok", "database": "ok", "id": "hub"}
    hub["app"].state.service.engine.dispose()
    Path(hub["app"].state.service.engine.url.database).write_bytes(b"junk " * 4096)
    broken = await client.get("/health")
    assert broken.status_code == 503 and broken.json()["status"] == "unavailable"
