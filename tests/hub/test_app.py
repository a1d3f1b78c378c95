"""The hub app in process: every error an OperationOutcome, OpenAPI schemas, one validation."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from app.cli.init import scaffold_hub
from app.cli.servers import free_port
from app.config import load_hub_settings
from app.hub.app import create_hub_app
from app.hub.tokens import TokenRegistry
from tests.catalogue.support import count_validations

BODY = {
    "measure": "guideline-adherence",
    "period": {"start": "2024-01-01", "end": "2024-12-31"},
    "stratify": ["route", "drug", "route"],
}


@dataclass
class Hub:
    """A hub app with no nodes (the fan-out asks nobody), a client of it and a bearer header."""

    app: FastAPI
    client: httpx.AsyncClient
    headers: dict[str, str]

    def audit_actions(self) -> list[str]:
        return [entry.action for entry in self.app.state.service.audit.entries()]


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[Hub]:
    settings = load_hub_settings(scaffold_hub(tmp_path / "hub", port=free_port()))
    token = TokenRegistry.from_file(settings.hub.api_token_file).first_token()
    app = create_hub_app(settings)
    # raise_app_exceptions=False: the client gets the 500 response, as a remote client would
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
        yield Hub(app, client, {"Authorization": f"Bearer {token}"})
    app.state.service.engine.dispose()


def assert_outcome(response: Any, status: int, fragment: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert fragment in outcome["issue"][0]["diagnostics"]
    return dict(outcome)


async def test_unknown_path_is_an_operation_outcome_404(hub: Hub) -> None:
    client, headers = hub.client, hub.headers
    assert_outcome(await client.get("/api/nope", headers=headers), 404, "no such endpoint")
    assert_outcome(await client.get("/nowhere"), 404, "no such endpoint")


async def test_wrong_method_is_an_operation_outcome_405_with_allow(hub: Hub) -> None:
    client, headers = hub.client, hub.headers
    response = await client.delete("/api/nodes", headers=headers)
    assert_outcome(response, 405, "Method Not Allowed")
    assert response.headers["allow"] == "GET"


async def test_request_validation_error_is_an_operation_outcome_400(hub: Hub) -> None:
    client, headers = hub.client, hub.headers
    response = await client.get("/api/queries/some-id", params={"format": "xml"}, headers=headers)
    outcome = assert_outcome(response, 400, "query.format")
    assert outcome["issue"][0]["code"] == "invalid"


async def test_missing_token_is_an_operation_outcome_401_with_bearer_challenge(hub: Hub) -> None:
    client = hub.client
    response = await client.get("/api/queries")
    assert_outcome(response, 401, "missing bearer token")
    assert response.headers["www-authenticate"] == "Bearer"


async def test_unexpected_error_is_an_operation_outcome_500_without_trace(hub: Hub) -> None:
    client, headers = hub.client, hub.headers
    with hub.app.state.service.engine.begin() as connection:
        connection.execute(text("DROP TABLE hub_node_result"))
        connection.execute(text("DROP TABLE hub_query"))
    response = await client.get("/api/queries", headers=headers)
    assert_outcome(response, 500, "internal error")
    assert "Traceback" not in response.text and "hub_query" not in response.text
    assert hub.audit_actions()[-1] == "GET /api/queries"


async def test_every_request_is_audited_exactly_once(hub: Hub) -> None:
    client, headers = hub.client, hub.headers
    await client.get("/nowhere")
    await client.get("/api/queries")
    await client.delete("/api/nodes", headers=headers)
    await client.get("/api/queries", headers=headers)
    assert hub.audit_actions() == [
        "GET /nowhere",
        "GET /api/queries",
        "DELETE /api/nodes",
        "GET /api/queries",
    ]


async def test_openapi_describes_the_query_document(hub: Hub) -> None:
    client = hub.client
    spec = (await client.get("/openapi.json")).json()
    schemas = spec["components"]["schemas"]
    for name in (
        "QueryDocument", "PendingQuery", "NodeSummary", "NodePolicy", "CountRow",
        "StatisticRow", "MetaAnalysisRow", "StudyRow", "QueryStarted", "QueryListing",
    ):  # fmt: skip
        assert name in schemas, name
    assert list(schemas["CountRow"]["properties"]) == [
        "country", "stratifier", "stratum", "population", "count", "status", "lower", "upper",
    ]  # fmt: skip
    assert list(schemas["QueryDocument"]["properties"]) == [
        "query_id", "measure", "version", "period", "filters", "stratify", "parameters",
        "nodes", "rows", "statistics", "caveats", "created_at", "asked_by",
    ]  # fmt: skip
    answer = spec["paths"]["/api/queries/{query_id}"]["get"]["responses"]["200"]
    refs = str(answer["content"]["application/json"]["schema"])
    assert "#/components/schemas/QueryDocument" in refs
    assert "#/components/schemas/PendingQuery" in refs


async def test_query_validated_once_per_request_and_recorded_in_normal_form(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, headers = hub.client, hub.headers
    calls = count_validations(monkeypatch)
    started = await client.post("/api/queries", json=BODY, headers=headers)
    assert started.status_code == 202, started.text
    assert len(calls) == 1
    url = started.json()["href"]
    deadline = time.monotonic() + 10
    while "rows" not in (document := (await client.get(url, headers=headers)).json()):
        assert time.monotonic() < deadline, document
        await asyncio.sleep(0.02)
    assert len(calls) == 1
    # normal form: catalogue version, stratifiers without repeats, the parameter's default
    assert document["version"] == "1"
    assert document["stratify"] == ["route", "drug"]
    assert document["parameters"] == {"max-take-home-mg": 300}
    assert document["nodes"] == [] and document["asked_by"] == "analyst"


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"measure": "nope"}, "unknown measure (known: administrations, adverse-events"),
        ({"filters": {"drug": ["aspirin"]}}, "unknown value for filter drug (allowed: ketamine"),
        ({"stratify": ["colour"]}, "unknown stratifier 'colour' for this measure (known: drug"),
        ({"parameters": {"max-take-home-mg": -1}}, "max-take-home-mg: must be a number"),
        ({"version": "2"}, "unknown version (the catalogue holds version 1)"),
    ],
)
async def test_query_outside_the_catalogue_refused_400_naming_the_part(
    hub: Hub, body: dict[str, Any], fragment: str
) -> None:
    client, headers = hub.client, hub.headers
    response = await client.post("/api/queries", json=BODY | body, headers=headers)
    assert_outcome(response, 400, fragment)
    assert (await client.get("/api/queries", headers=headers)).json() == []
