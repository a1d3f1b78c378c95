"""A query is checked against the catalogue once at the hub and once by each node it reaches."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import orjson
import pytest

from app.config import load_hub_settings
from app.hub.requests import query_from_request
from app.hub.service import HubService
from app.trust.httpx_auth import SignedRequestAuth
from tests.catalogue.support import count_validations
from tests.node.conftest import FHIR, parameters


def test_node_validates_a_signed_query_once(
    node: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = count_validations(monkeypatch)
    response = httpx.post(
        f"{node['url']}/fhir/Measure/$evaluate-measure",
        content=orjson.dumps(parameters("treated-patients", stratify=["route", "sex"])),
        headers={"content-type": FHIR},
        auth=SignedRequestAuth(node["hub_key"]),
        timeout=30,
    )
    assert response.status_code == 200, response.text
    assert [query.measure for query in calls] == ["treated-patients"]


def test_hub_validates_once_before_fan_out_and_the_node_once_on_arrival(
    node: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = count_validations(monkeypatch)
    query = query_from_request(
        {"measure": "administrations", "period": {"start": "2024-01-01", "end": "2025-06-30"}}
    )
    assert len(calls) == 1 and query.version == "1"
    service = HubService(load_hub_settings(node["hub_config"]))
    try:
        document = asyncio.run(service.run_query(query, actor="test"))
    finally:
        service.engine.dispose()
    assert [entry.status for entry in document.nodes] == ["ok"]
    # the node received the normal form (version pinned) and checked it once more, itself
    assert len(calls) == 2 and calls[1].version == "1"
