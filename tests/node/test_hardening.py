"""A node under abuse: bounded periods, ASCII-only numbers, throttled strangers, unverified claims."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.cli.init import scaffold_hub
from app.cli.peers import add_peer
from app.cli.provision import provision_node
from app.cli.servers import ServerThread, free_port
from app.config import load_node_settings
from app.database import create_store_engine
from app.errors import Unavailable
from app.node.app import create_node_app
from app.node.ratelimit import EvaluationSlots
from app.trust.audit import AuditLog
from app.trust.httpx_auth import SignedRequestAuth
from app.trust.keys import load_signing_key, write_key_pair
from tests.node.conftest import parameters

FHIR = "application/fhir+json"
STRANGER_RATE = 5


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root: Path = tmp_path_factory.mktemp("hardened")
    hub_config = scaffold_hub(root / "hub", port=free_port())
    config, _report = provision_node(
        root, node_id="no", country="NO", patients=40, seed=9, hub_config=hub_config, formats="csv"
    )
    write_key_pair(root / "other", "reader")
    add_peer(config, name="reader", jwk=root / "other" / "reader.jwk.json", grants=["record"])
    settings = load_node_settings(config)
    limits = settings.limits.model_copy(update={"unauthenticated_per_minute": STRANGER_RATE})
    settings = settings.model_copy(update={"limits": limits})
    server = ServerThread(create_node_app(settings), settings.node.port, name="no").start()
    yield {
        "url": server.url,
        "settings": settings,
        "hub_key": load_signing_key(root / "hub" / "keys" / "hub.pem"),
        "reader_key": load_signing_key(root / "other" / "reader.pem"),
    }
    server.stop()


def _evaluate(node: dict[str, Any], body: dict[str, Any]) -> httpx.Response:
    return httpx.post(
        f"{node['url']}/fhir/Measure/$evaluate-measure",
        content=json.dumps(body).encode(),
        headers={"content-type": FHIR},
        auth=SignedRequestAuth(node["hub_key"]),
        timeout=60,
    )


def _issue(response: httpx.Response) -> str:
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    return str(outcome["issue"][0]["diagnostics"])


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [("0001-01-01", "9999-12-31", "periodStart"), ("2024-01-01", "9999-12-31", "periodEnd")],
)
def test_absurd_period_is_refused_with_400(
    node: dict[str, Any], start: str, end: str, field: str
) -> None:
    response = _evaluate(node, parameters(start=start, end=end, stratify=["year"]))
    assert response.status_code == 400, response.text
    assert _issue(response).startswith(f"{field}: must be on or")


def test_the_widest_allowed_period_answers_by_year(node: dict[str, Any]) -> None:
    response = _evaluate(node, parameters(start="1900-01-01", end="2025-12-31", stratify=["year"]))
    assert response.status_code == 200, response.text
    (group,) = response.json()["group"]
    strata = group["stratifier"][0].get("stratum", [])
    assert {s["value"]["text"] for s in strata} <= {str(y) for y in range(1900, 2026)}


def test_unicode_digit_count_is_400_without_a_traceback(
    node: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        for value in ("²", "١٢", "9" * 5000):
            response = httpx.get(
                f"{node['url']}/fhir/Patient",
                params={"_count": value},
                auth=SignedRequestAuth(node["reader_key"]),
            )
            assert response.status_code == 400, response.text
            assert _issue(response).startswith("_count: must be a non-negative integer")
    assert "Traceback" not in caplog.text and "Exception in ASGI" not in caplog.text


def test_strangers_are_throttled_and_audited_as_unverified(node: dict[str, Any]) -> None:
    hub_kid = node["hub_key"].kid
    junk = {
        "signature-input": f'sig=("@method");keyid="{hub_kid}";created=1;tag="ketanet-request"',
        "signature": "sig=:AAAA:",
    }
    statuses = [
        httpx.get(f"{node['url']}/fhir/Patient", headers=junk).status_code
        for _ in range(STRANGER_RATE + 10)
    ]
    assert statuses[:STRANGER_RATE] == [401] * STRANGER_RATE
    assert set(statuses[STRANGER_RATE:]) == {429}
    engine = create_store_engine(node["settings"].node.database_url)
    refused = [e for e in AuditLog(engine).entries() if e.action == "authenticate"]
    engine.dispose()
    # one entry per request let through; the claimed hub key id is never taken as the hub's
    assert len(refused) == STRANGER_RATE
    assert {e.actor for e in refused} == {f"unverified:{hub_kid}"}


def test_evaluation_slots_make_the_extra_caller_wait_then_refuse() -> None:
    slots = EvaluationSlots(2)

    async def scenario() -> list[str]:
        outcomes: list[str] = []
        release = asyncio.Event()

        async def hold() -> None:
            async with slots.slot(wait_s=5):
                outcomes.append("ran")
                await release.wait()

        holders = [asyncio.create_task(hold()) for _ in range(2)]
        while len(outcomes) < 2:
            await asyncio.sleep(0)
        with pytest.raises(Unavailable, match="busy: 2 evaluations running"):
            async with slots.slot(wait_s=0.01):
                outcomes.append("third ran")
        release.set()
        await asyncio.gather(*holders)
        async with slots.slot(wait_s=0.01):
            outcomes.append("after")
        return outcomes

    assert asyncio.run(scenario()) == ["ran", "ran", "after"]
