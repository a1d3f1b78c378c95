"""The hub API over a real server: tokens, queries, CSV, FHIR, receipts re-verified; the CLI."""

from __future__ import annotations

import base64
import csv
import dataclasses
import io
import json
import re
import time
import tomllib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import tomli_w
from fhir.resources.R4B.measurereport import MeasureReport
from typer.testing import CliRunner

from app.cli.main import cli
from app.cli.servers import ServerThread, free_port
from app.database import create_store_engine
from app.errors import SignatureError
from app.hub.app import create_hub_app
from app.hub.node_trust import pinned_keys
from app.hub.tokens import TokenRegistry
from app.trust.audit import AuditLog
from app.trust.digest import content_digest
from app.trust.signatures import Receipt
from tests.e2e.network import Network, build_network

pytestmark = pytest.mark.e2e
BODY = {
    "measure": "efficacy",
    "period": {"start": "2024-01-01", "end": "2025-06-30"},
    "stratify": ["route"],
    "parameters": {"instrument": "MADRS", "timepoint": "day28"},
}


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Network]:
    yield from build_network(tmp_path_factory.mktemp("hubapi"))


@pytest.fixture(scope="module")
def hub(network: Network) -> Iterator[tuple[str, dict[str, str], Any]]:
    nodes = [network.serve_node(network.node_settings(n)) for n in ("no", "de", "pt")]
    settings = network.hub_settings(nodes, port=free_port())
    server = ServerThread(create_hub_app(settings), settings.hub.port, name="hub").start()
    token = TokenRegistry.from_file(settings.hub.api_token_file).first_token()
    yield server.url, {"Authorization": f"Bearer {token}"}, settings
    server.stop()


def _wait(client: httpx.Client, url: str, headers: dict[str, str]) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        document = client.get(url, headers=headers).json()
        if document["status"] != "running":
            return dict(document)
        time.sleep(0.1)
    raise AssertionError("query did not finish")


def test_api_refuses_without_token(hub: tuple[str, dict[str, str], Any]) -> None:
    url, _headers, _settings = hub
    response = httpx.post(f"{url}/api/queries", json=BODY)
    assert response.status_code == 401
    assert response.json()["resourceType"] == "OperationOutcome"
    assert (
        httpx.get(f"{url}/api/queries", headers={"Authorization": "Bearer wrong"}).status_code
        == 401
    )


def test_dashboard_is_served_and_works_offline(hub: tuple[str, dict[str, str], Any]) -> None:
    url, _headers, _settings = hub
    page = httpx.get(f"{url}/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    script = httpx.get(f"{url}/static/dashboard.js")
    assert script.status_code == 200 and "/api/queries" in script.text
    assert httpx.get(f"{url}/static/dashboard.css").status_code == 200
    assert httpx.get(f"{url}/static/../app.py").status_code == 404
    assert httpx.get(f"{url}/static/nothing.js").status_code == 404
    # no CDN or any other remote asset: every src/href is local, the API pages' too
    docs = [httpx.get(f"{url}{path}") for path in ("/docs", "/redoc")]
    for text in (page.text, *(d.text for d in docs)):
        assert re.findall(r"(?:src|href)=[\"']https?://", text) == []
        assert "cdn" not in text.lower()
    assert all(d.status_code == 200 for d in docs)
    assert httpx.get(f"{url}/static/vendor/swagger-ui-bundle.js").status_code == 200
    assert httpx.get(f"{url}/static/vendor/redoc.standalone.js").status_code == 200


def test_query_lifecycle_with_csv_fhir_and_receipts(hub: tuple[str, dict[str, str], Any]) -> None:
    url, headers, settings = hub
    with httpx.Client(timeout=30) as client:
        started = client.post(f"{url}/api/queries", json=BODY, headers=headers)
        assert started.status_code == 202
        query_id = started.json()["id"]
        document = _wait(client, f"{url}/api/queries/{query_id}", headers)
        assert document["query_id"] == query_id
        assert [n["status"] for n in document["nodes"]] == ["ok", "ok", "ok"]
        assert {s["statistic"] for s in document["statistics"]} >= {
            "response",
            "remission",
            "response-meta",
        }

        listed = client.get(f"{url}/api/queries", headers=headers).json()
        assert listed[0]["id"] == query_id and listed[0]["asked_by"] == "analyst"

        table = list(
            csv.DictReader(
                io.StringIO(
                    client.get(f"{url}/api/queries/{query_id}?format=csv", headers=headers).text
                )
            )
        )
        assert len(table) == len(document["rows"])
        assert set(table[0]) == {
            "country",
            "stratifier",
            "stratum",
            "population",
            "count",
            "status",
            "lower",
            "upper",
        }

        report = client.get(f"{url}/api/queries/{query_id}/MeasureReport", headers=headers).json()
        MeasureReport.model_validate(report)
        assert report["measure"].startswith("https://ketanet.org/fhir/Measure/efficacy")

        receipts = client.get(f"{url}/api/queries/{query_id}/receipts", headers=headers).json()
        assert len(receipts) == 3
        keys_by_node = {node.id: pinned_keys(node) for node in settings.nodes}
        for item in receipts:
            receipt = Receipt.from_json(item["receipt"])
            sent = base64.b64decode(item["receipt"]["request_body_base64"])
            assert content_digest(sent) == receipt.request_body_digest  # the request it answers
            receipt.verify(keys_by_node[item["node_id"]])  # raises when it does not verify
            # a receipt whose stored answer was edited no longer verifies
            body = json.loads(receipt.response_body)
            body["group"][0]["population"][0]["count"] = 99999
            forged = dataclasses.replace(receipt, response_body=json.dumps(body).encode())
            with pytest.raises(SignatureError):
                forged.verify(keys_by_node[item["node_id"]])

        audit = AuditLog(create_store_engine(settings.hub.database_url)).entries()
        actions = {(e.actor, e.action) for e in audit}
        assert ("analyst", "POST /api/queries") in actions
        assert ("analyst", "query") in actions  # the fan-out itself, with the answer's digest
        assert ("anonymous", "POST /api/queries") in actions  # the refused attempt without a token

        nodes = client.get(f"{url}/api/nodes", headers=headers).json()
        assert {n["health"]["status"] for n in nodes} == {"ok"}
        assert all(n["key_ids"] for n in nodes)


def test_cli_query_prints_json_csv_and_table(
    network: Network, hub: tuple[str, dict[str, str], Any]
) -> None:
    _url, _headers, settings = hub
    config = network.root / "hub" / "hub-e2e.toml"
    document = tomllib.loads(network.hub_config.read_text())
    document["nodes"] = [
        {
            "id": n.id,
            "country": n.country,
            "url": n.url,
            "jwk": str(network.root / n.id / "keys" / f"{n.id}.jwk.json"),
        }
        for n in settings.nodes
    ]
    config.write_text(tomli_w.dumps(document))
    runner = CliRunner()
    args = [
        "query",
        "--config",
        str(config),
        "treated-patients",
        "--period",
        "2024-01-01..2025-06-30",
        "--stratify",
        "route",
    ]
    result = runner.invoke(cli, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["measure"] == "treated-patients"
    assert {n["country"] for n in document["nodes"]} == {"NO", "DE", "PT"}
    result_csv = runner.invoke(cli, [*args, "--format", "csv"])
    assert (
        result_csv.stdout.splitlines()[0]
        == "country,stratifier,stratum,population,count,status,lower,upper"
    )
    result_table = runner.invoke(cli, args)
    assert result_table.exit_code == 0 and "ALL" in result_table.stdout
    verified = runner.invoke(cli, ["audit", "verify", "--config", str(config)])
    assert verified.exit_code == 0, verified.output
    bad = runner.invoke(
        cli, ["query", "--config", str(config), "nope", "--period", "2024-01-01..2024-12-31"]
    )
    assert bad.exit_code == 2 and "measure" in bad.output
