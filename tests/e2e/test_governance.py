"""Governance end to end: a push node, an outbound-only pull node (a separate process with no
listening socket) and a node whose data steward approves one measure, behind a hub restarted
mid-query. Real uvicorn servers and processes on 127.0.0.1."""

from __future__ import annotations

import asyncio
import base64
import json
import socket
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import tomli_w
from typer.testing import CliRunner

from app.cli.main import cli
from app.cli.servers import ServerThread, free_port
from app.config import (
    ApprovalSection,
    HubSettings,
    NodeEntry,
    load_hub_settings,
    load_node_settings,
)
from app.database import create_store_engine
from app.hub.app import create_hub_app
from app.hub.requests import query_from_request
from app.hub.service import HubService
from app.hub.tokens import TokenRegistry
from app.node import approvals
from app.node.app import create_node_app
from app.node.context import build_node_context
from app.node.hub_link import HubLink, deliver_decisions
from app.trust.audit import AuditLog
from app.trust.digest import content_digest
from app.trust.keys import (
    jwk_thumbprint,
    public_key_from_jwk,
)
from app.trust.signatures import Receipt
from tests.e2e.governance import (
    alive,
    edit_toml,
    fresh_database_url,
    listening_ports,
    process,
    wait_until,
)
from tests.e2e.network import Network, build_network

pytestmark = pytest.mark.e2e
PERIOD = {"start": "2024-01-01", "end": "2025-06-30"}
EFFICACY = {
    "measure": "efficacy",
    "period": PERIOD,
    "stratify": ["route", "sex"],
    "parameters": {"instrument": "MADRS", "timepoint": "day28"},
}
PHQ9 = {**EFFICACY, "parameters": {"instrument": "PHQ9", "timepoint": "day7"}}


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Network]:
    yield from build_network(tmp_path_factory.mktemp("governance"))


@dataclass
class Governed:
    """The governed network: hub settings on disk, node configs, the hub server (restartable)."""

    network: Network
    hub_config: Path
    hub_url: str
    headers: dict[str, str]
    de_config: Path
    pt_config: Path
    server: ServerThread | None = None

    def settings(self) -> HubSettings:
        return load_hub_settings(self.hub_config)

    def start_hub(self) -> None:
        settings = self.settings()
        self.server = ServerThread(create_hub_app(settings), settings.hub.port, name="hub")
        self.server.start()

    def stop_hub(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    def document(self, query_id: str) -> dict[str, Any]:
        response = httpx.get(f"{self.hub_url}/api/queries/{query_id}", headers=self.headers)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def statuses(self, query_id: str) -> dict[str, tuple[str, str | None]]:
        nodes = self.document(query_id)["nodes"]
        return {node["id"]: (node["status"], node["detail"]) for node in nodes}


def _write_nodes(hub_config: Path, entries: list[NodeEntry], *, port: int, url: str) -> None:
    document = tomllib.loads(hub_config.read_text(encoding="utf-8"))
    keys = {node["id"]: node["jwk"] for node in document["nodes"]}
    document["hub"] |= {"port": port, "public_url": url, "timeout_s": 10}
    document["nodes"] = [
        {"id": e.id, "country": e.country, "url": e.url, "jwk": keys[e.id], "mode": e.mode}
        for e in entries
    ]
    hub_config.write_text(tomli_w.dumps(document), encoding="utf-8")


@pytest.fixture(scope="module")
def governed(network: Network) -> Iterator[Governed]:
    hub_port = free_port()
    hub_url = f"http://127.0.0.1:{hub_port}"
    no = network.serve_node(network.node_settings("no"))
    de_port = free_port()  # nothing will listen on it: the pull node opens no socket
    de_config = edit_toml(
        network.node_configs["de"],
        node={"port": de_port, "public_url": f"http://127.0.0.1:{de_port}"},
        hub={"url": hub_url, "mode": "pull", "poll_wait_s": 2},
    )
    pt_port = free_port()
    pt_config = edit_toml(
        network.node_configs["pt"],
        node={"port": pt_port, "public_url": f"http://127.0.0.1:{pt_port}"},
        hub={"url": hub_url},
        approval={"default": "auto", "measures": {"efficacy": "manual"}},
    )
    pt_settings = load_node_settings(pt_config)
    network.servers.append(ServerThread(create_node_app(pt_settings), pt_port, name="pt").start())
    base = {node.id: node for node in load_hub_settings(network.hub_config).nodes}
    entries = [
        no,
        base["de"].model_copy(update={"url": f"http://127.0.0.1:{de_port}", "mode": "pull"}),
        base["pt"].model_copy(update={"url": pt_settings.node.public_url}),
    ]
    _write_nodes(network.hub_config, entries, port=hub_port, url=hub_url)
    token = TokenRegistry.from_file(load_hub_settings(network.hub_config).hub.api_token_file)
    governed = Governed(
        network=network,
        hub_config=network.hub_config,
        hub_url=hub_url,
        headers={"Authorization": f"Bearer {token.first_token()}"},
        de_config=de_config,
        pt_config=pt_config,
    )
    try:
        yield governed
    finally:
        governed.stop_hub()


def _all_push_rows(network: Network, body: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of the same query over the same nodes, every one pushed and answered at once."""
    nodes = [network.serve_node(network.node_settings("no"))]
    for node_id in ("de", "pt"):
        settings = network.node_settings(node_id)
        settings = settings.model_copy(update={"hub": None, "approval": ApprovalSection()})
        nodes.append(network.serve_node(settings).model_copy(update={"mode": "push"}))
    settings = network.hub_settings(nodes)
    settings = settings.model_copy(
        update={
            "hub": settings.hub.model_copy(update={"database_url": fresh_database_url(network)})
        }
    )
    service = HubService(settings)
    document = asyncio.run(service.run_query(query_from_request(body), actor="baseline"))
    service.engine.dispose()
    assert [node.status for node in document.nodes] == ["ok", "ok", "ok"]
    return [row.model_dump() for row in document.rows]


def _start(governed: Governed, body: dict[str, Any]) -> str:
    response = httpx.post(f"{governed.hub_url}/api/queries", json=body, headers=governed.headers)
    assert response.status_code == 202, response.text
    return str(response.json()["id"])


def _cli(*args: str) -> Any:
    result = CliRunner().invoke(cli, list(args))
    return result


def _held(governed: Governed) -> list[dict[str, Any]]:
    listed = _cli("node", "approvals", "list", "--config", str(governed.pt_config), "--json")
    assert listed.exit_code == 0, listed.output
    return list(json.loads(listed.stdout))


def _jwk_keys(network: Network, node_id: str) -> dict[str, Any]:
    jwk = json.loads((network.root / node_id / "keys" / f"{node_id}.jwk.json").read_text())
    return {jwk_thumbprint(jwk): public_key_from_jwk(jwk)}


def test_push_pull_and_approval_with_a_hub_restart_equal_the_all_push_result(
    governed: Governed, tmp_path: Path
) -> None:
    baseline = _all_push_rows(governed.network, EFFICACY)
    governed.start_hub()
    # the hub never connects to a pull node, not even for its health
    nodes = httpx.get(f"{governed.hub_url}/api/nodes", headers=governed.headers).json()
    assert {(n["id"], n["mode"], n["health"]["status"]) for n in nodes} == {
        ("no", "push", "ok"),
        ("de", "pull", "pull"),
        ("pt", "push", "ok"),
    }
    query_id = _start(governed, EFFICACY)

    # the push node answers at once; the others wait: the pull node is not running yet and the
    # steward has not decided
    wait_until(lambda: governed.statuses(query_id)["no"][0] == "ok", what="the push node")
    running = governed.document(query_id)
    assert running["status"] == "running"
    assert governed.statuses(query_id) == {
        "no": ("ok", None),
        "de": ("pending", "awaiting-pull"),
        "pt": ("pending", "awaiting-approval"),
    }
    assert {row["country"] for row in running["rows"]} == {"NO", "ALL"}  # answered so far
    held = _held(governed)
    assert [(h["measure"], h["requester"], h["period"]) for h in held] == [
        ("efficacy", "hub", PERIOD)
    ]
    assert held[0]["strata"] == ["route", "sex"]
    assert held[0]["parameters"] == {"instrument": "MADRS", "timepoint": "day28"}

    # the hub stops mid-query; the pull node starts meanwhile (it retries) and a new hub
    # process on the same database serves it: no task is lost
    governed.stop_hub()
    settings = load_node_settings(governed.de_config)
    log = tmp_path / "de.log"
    with process(["node", "serve", "--config", str(governed.de_config)], log=log) as pull_node:
        wait_until(
            lambda: alive(pull_node, log) and "next try" in log.read_text(),
            what="the pull node to find no hub",
        )
        governed.start_hub()
        wait_until(
            lambda: governed.statuses(query_id)["de"][0] == "ok",
            what=f"the pull node (log: {log})",
        )
        # outbound only: the process listens on no port, and its configured port refuses
        assert listening_ports(pull_node.pid) == set()
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", settings.node.port)) != 0
        assert governed.document(query_id)["status"] == "running"  # the steward still decides

        approved = _cli(
            "node", "approvals", "approve", "--config", str(governed.pt_config),
            held[0]["id"], "--by", "steward-pt", "--note", "protocol 7 allows it",
        )  # fmt: skip
        assert approved.exit_code == 0, approved.output
        assert "delivered" in approved.stdout
        document = wait_until(
            lambda: (d := governed.document(query_id))["status"] == "complete" and d,
            what="the approved answer",
        )
        assert [node["status"] for node in document["nodes"]] == ["ok", "ok", "ok"]
        assert document["rows"] == baseline  # row for row

        # a denial reaches the hub as `denied`, with the steward's reason
        denied_id = _start(governed, PHQ9)
        wait_until(lambda: governed.statuses(denied_id)["pt"][1] == "awaiting-approval")
        second = next(h for h in _held(governed) if h["parameters"]["instrument"] == "PHQ9")
        refused = _cli(
            "node", "approvals", "deny", "--config", str(governed.pt_config), second["id"],
            "--reason", "PHQ9 day 7 is outside our approved protocol", "--by", "steward-pt",
        )  # fmt: skip
        assert refused.exit_code == 0, refused.output
        final = wait_until(
            lambda: (d := governed.document(denied_id))["status"] != "running" and d,
            what="the denial",
        )
    assert {node["id"]: (node["status"], node["detail"]) for node in final["nodes"]} == {
        "no": ("ok", None),
        "de": ("ok", None),
        "pt": ("denied", "PHQ9 day 7 is outside our approved protocol"),
    }
    assert final["status"] == "complete"
    assert {row["country"] for row in final["rows"]} == {"NO", "DE", "ALL"}

    # every receipt re-verifies from the node's public JWK alone, the pull node's too
    receipts = httpx.get(
        f"{governed.hub_url}/api/queries/{query_id}/receipts", headers=governed.headers
    ).json()
    assert [item["node_id"] for item in receipts] == ["no", "de", "pt"]
    for item in receipts:
        receipt = Receipt.from_json(item["receipt"])
        receipt.verify(_jwk_keys(governed.network, item["node_id"]))
        sent = base64.b64decode(item["receipt"]["request_body_base64"])
        assert content_digest(sent) == receipt.request_body_digest
        assert receipt.response_status == 200
        assert "task=" in receipt.request_url  # the hub-signed request names its task
    denial = httpx.get(
        f"{governed.hub_url}/api/queries/{denied_id}/receipts", headers=governed.headers
    ).json()
    pt_denial = Receipt.from_json(next(i for i in denial if i["node_id"] == "pt")["receipt"])
    pt_denial.verify(_jwk_keys(governed.network, "pt"))
    assert pt_denial.response_status == 403

    # each decision is an audit entry: who, when, decision, reason, digest of the request
    pt_audit = AuditLog(
        create_store_engine(load_node_settings(governed.pt_config).node.database_url)
    )
    decisions = [e for e in pt_audit.entries() if e.action == "approval"]
    assert [(e.actor, e.decision, e.reason) for e in decisions] == [
        ("steward-pt", "approved", "protocol 7 allows it"),
        ("steward-pt", "denied", "PHQ9 day 7 is outside our approved protocol"),
    ]
    assert all(e.request_digest and e.at for e in decisions)
    held_entries = [e for e in pt_audit.entries() if e.decision == "held"]
    assert len(held_entries) == 2
    assert {e.request_digest for e in held_entries} == {e.request_digest for e in decisions}


def test_cli_query_prints_pending_nodes_and_query_show_reads_it_later(governed: Governed) -> None:
    if governed.server is None:
        governed.start_hub()
    config = str(governed.hub_config)
    ran = _cli(
        "query", "--config", config, "treated-patients", "--period", "2024-01-01..2025-06-30",
        "--stratify", "route", "--wait", "0.5", "--format", "json",
    )  # fmt: skip
    assert ran.exit_code == 0, ran.output  # running is not a failure
    document = json.loads(ran.stdout)
    query_id = document["query_id"]
    assert document["status"] == "running"
    statuses = {node["id"]: (node["status"], node["detail"]) for node in document["nodes"]}
    assert statuses == {
        "no": ("ok", None), "de": ("pending", "awaiting-pull"), "pt": ("ok", None),
    }  # fmt: skip
    assert "de (DE): pending (awaiting-pull)" in ran.stderr
    assert f"ketanet query show --config {config} {query_id}" in ran.stderr

    # a scheduler's run of the pull node answers what is waiting and exits
    pulled = _cli("node", "pull", "--config", str(governed.de_config), "--once")
    assert pulled.exit_code == 0, pulled.output
    assert "1 task(s) answered" in pulled.stdout, pulled.output
    shown = wait_until(
        lambda: (
            (r := _cli("query", "show", "--config", config, query_id, "--format", "json"))
            and json.loads(r.stdout)["status"] == "complete"
            and r
        ),
        what="the pulled answer",
    )
    assert [node["status"] for node in json.loads(shown.stdout)["nodes"]] == ["ok", "ok", "ok"]
    table = _cli("query", "show", "--config", config, query_id, "--format", "csv")
    assert table.exit_code == 0 and table.stdout.startswith("country,stratifier,stratum")
    assert {line.split(",")[0] for line in table.stdout.splitlines()[1:]} == {
        "NO",
        "DE",
        "PT",
        "ALL",
    }
    missing = _cli("query", "show", "--config", config, "no-such-query")
    assert missing.exit_code == 6 and "no such query" in missing.output


def test_a_decision_delivered_after_its_answer_signature_expired_is_taken(
    governed: Governed,
) -> None:
    if governed.server is None:
        governed.start_hub()
    body = {**EFFICACY, "parameters": {"instrument": "MADRS", "timepoint": "month3"}}
    query_id = _start(governed, body)
    wait_until(lambda: governed.statuses(query_id)["pt"] == ("pending", "awaiting-approval"))
    [held] = [h for h in _held(governed) if h["parameters"]["timepoint"] == "month3"]
    settings = load_node_settings(governed.pt_config)
    # approved 20 minutes ago, while the hub could not be reached: the answer's signature expired
    earlier = replace(build_node_context(settings), clock=lambda: time.time() - 1200)
    approvals.approve(earlier, held["id"], by="steward-pt", note=None)
    now = build_node_context(settings)

    async def deliver() -> list[tuple[str, str]]:
        async with HubLink(now) as link:
            return await deliver_decisions(now, link)

    assert asyncio.run(deliver()) == [(held["id"], "delivered (200)")]
    assert governed.statuses(query_id)["pt"] == ("ok", None)
    receipts = httpx.get(
        f"{governed.hub_url}/api/queries/{query_id}/receipts", headers=governed.headers
    ).json()
    pt = Receipt.from_json(next(r for r in receipts if r["node_id"] == "pt")["receipt"])
    pt.verify(_jwk_keys(governed.network, "pt"))  # a receipt re-verifies regardless of time
