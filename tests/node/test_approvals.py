"""Data-steward approval at a real node: deny and manual policies, held requests, decisions."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from fhir.resources.R4B.measurereport import MeasureReport
from fhir.resources.R4B.operationoutcome import OperationOutcome
from typer.testing import CliRunner

from app.cli.init import scaffold_hub
from app.cli.main import cli
from app.cli.provision import provision_node
from app.cli.servers import ServerThread, free_port
from app.config import NodeSettings, load_node_settings
from app.errors import Conflict, PolicyRefusal, Unavailable
from app.exchange.outcomes import approval_reference
from app.node import approvals
from app.node.app import node_app_for
from app.node.context import NodeContext, build_node_context
from app.store.approvals import held_request
from app.trust.audit import AuditLog
from app.trust.httpx_auth import SignedRequestAuth
from app.trust.keys import SigningKey, jwk_thumbprint, load_signing_key, public_key_from_jwk
from app.trust.signatures import verify_response
from tests.e2e.governance import edit_toml
from tests.node.conftest import parameters

FHIR = "application/fhir+json"
EFFICACY = parameters(
    "efficacy",
    stratify=["route"],
)
EFFICACY["parameter"] += [
    {"name": "instrument", "valueCode": "MADRS"},
    {"name": "timepoint", "valueCode": "day28"},
]


@dataclass
class GovernedNode:
    """A node whose steward approves ``efficacy`` and whose policy denies ``administrations``."""

    config: Path
    settings: NodeSettings
    url: str
    hub_key: SigningKey
    keys: dict[str, Any]


@pytest.fixture(scope="module")
def governed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GovernedNode]:
    root = tmp_path_factory.mktemp("approvals")
    hub_config = scaffold_hub(root / "hub", port=free_port())
    config, _report = provision_node(
        root, node_id="no", country="NO", patients=120, seed=5, hub_config=hub_config
    )
    # a hub nobody runs: decisions are recorded, their delivery waits
    edit_toml(
        config,
        hub={"url": f"http://127.0.0.1:{free_port()}"},
        approval={"measures": {"efficacy": "manual", "administrations": "deny"}},
    )
    settings = load_node_settings(config)
    server = ServerThread(node_app_for(build_node_context(settings)), settings.node.port).start()
    jwk = json.loads((root / "no" / "keys" / "no.jwk.json").read_text())
    yield GovernedNode(
        config=config,
        settings=settings,
        url=server.url,
        hub_key=load_signing_key(root / "hub" / "keys" / "hub.pem"),
        keys={jwk_thumbprint(jwk): public_key_from_jwk(jwk)},
    )
    server.stop()


def _post(node: GovernedNode, body: dict[str, Any], *, task: str | None = None) -> httpx.Response:
    url = f"{node.url}/fhir/Measure/$evaluate-measure"
    if task is not None:
        url += f"?task={task}&task-expires={int(time.time()) + 3600}"
    return httpx.post(
        url,
        content=orjson.dumps(body),
        headers={"content-type": FHIR},
        auth=SignedRequestAuth(node.hub_key),
        timeout=30,
    )


def _verified(node: GovernedNode, response: httpx.Response) -> None:
    request = response.request
    verify_response(
        request_method=request.method,
        request_url=str(request.url),
        request_headers=request.headers,
        request_body=request.content,
        status=response.status_code,
        response_headers=response.headers,
        response_body=response.content,
        keys=node.keys,
        now=time.time(),
    )


def _context(node: GovernedNode, **changes: Any) -> NodeContext:
    return replace(build_node_context(node.settings), **changes)


def test_a_denied_measure_is_refused_with_a_signed_403(governed: GovernedNode) -> None:
    response = _post(governed, parameters("administrations"), task="t-deny")
    assert response.status_code == 403
    OperationOutcome.model_validate(response.json())
    assert response.json()["issue"][0]["diagnostics"] == "policy: denied"
    _verified(governed, response)  # the hub can tell a node's denial from anyone's 403


def test_a_manual_measure_is_held_with_a_signed_202_naming_the_approval(
    governed: GovernedNode,
) -> None:
    response = _post(governed, EFFICACY, task="t-held")
    assert response.status_code == 202, response.text
    OperationOutcome.model_validate(response.json())
    issue = response.json()["issue"][0]
    assert issue["severity"] == "information" and "t-held" in issue["diagnostics"]
    _verified(governed, response)
    approval_id = approval_reference(response.content)
    assert approval_id is not None
    listed = [held.id for held in approvals.pending(_context(governed))]
    assert approval_id in listed
    # the same task again (fetched twice) is held once
    again = _post(governed, EFFICACY, task="t-held")
    assert approval_reference(again.content) == approval_id


def test_a_bad_or_taskless_manual_request_is_refused_at_once_never_held(
    governed: GovernedNode,
) -> None:
    before = len(approvals.pending(_context(governed)))
    missing_instrument = parameters("efficacy")
    bad = _post(governed, missing_instrument, task="t-bad")
    assert bad.status_code == 400 and "instrument" in bad.text
    taskless = _post(governed, EFFICACY)
    assert taskless.status_code == 403 and "names no hub task" in taskless.text
    assert len(approvals.pending(_context(governed))) == before


def test_held_requests_survive_a_restart_and_are_decided_once(governed: GovernedNode) -> None:
    approval_id = approval_reference(_post(governed, EFFICACY, task="t-once").content)
    assert approval_id is not None
    restarted = _context(governed)  # a new context on the same database: a node restart
    assert approval_id in [held.id for held in approvals.pending(restarted)]
    decided = approvals.approve(restarted, approval_id, by="steward", note="fine")
    assert decided.status == "approved" and decided.response_status == 200
    MeasureReport.model_validate(orjson.loads(decided.response_body or b""))
    # the answer is signed bound to the original request, as if it had been answered at once
    verify_response(
        request_method=decided.request_method,
        request_url=decided.request_url,
        request_headers=decided.request_headers,
        request_body=decided.request_body,
        status=200,
        response_headers=decided.response_headers or {},
        response_body=decided.response_body or b"",
        keys=governed.keys,
        now=time.time(),
    )
    with pytest.raises(Conflict):
        approvals.approve(restarted, approval_id, by="steward", note=None)
    with pytest.raises(Conflict):
        approvals.deny(restarted, approval_id, by="other", reason="late")
    entries = [
        e for e in restarted.audit.entries() if e.target.startswith(f"approval/{approval_id}")
    ]
    assert [(e.actor, e.decision, e.reason) for e in entries] == [("steward", "approved", "fine")]
    assert entries[0].request_digest == decided.request_digest
    assert entries[0].response_digest is not None


def test_an_approval_after_the_task_lifetime_is_refused_expired(governed: GovernedNode) -> None:
    approval_id = approval_reference(_post(governed, EFFICACY, task="t-late").content)
    assert approval_id is not None
    later = _context(governed, clock=lambda: time.time() + 7200)  # the task ended after 1 h
    with pytest.raises(PolicyRefusal, match="expired"):
        approvals.approve(later, approval_id, by="steward", note=None)
    with later.engine.connect() as connection:
        held = held_request(connection, approval_id)
    assert held is not None and held.status == "expired" and held.response_body is None
    assert AuditLog(later.engine).entries()[-1].decision == "expired"


def test_steward_cli_lists_decides_and_keeps_an_undelivered_decision(
    governed: GovernedNode,
) -> None:
    approval_id = approval_reference(_post(governed, EFFICACY, task="t-cli").content)
    runner = CliRunner()
    listed = runner.invoke(cli, ["node", "approvals", "list", "--config", str(governed.config)])
    assert listed.exit_code == 0 and approval_id in listed.stdout and "efficacy" in listed.stdout
    denied = runner.invoke(
        cli,
        ["node", "approvals", "deny", "--config", str(governed.config), str(approval_id),
         "--reason", "not this quarter", "--by", "steward"],
    )  # fmt: skip
    # the decision is recorded; the hub is not running, so its delivery waits for the next try
    assert denied.exit_code == Unavailable.exit_code, denied.output
    assert "not delivered" in denied.output
    everything = runner.invoke(
        cli, ["node", "approvals", "list", "--config", str(governed.config), "--all", "--json"]
    )
    mine = next(item for item in json.loads(everything.stdout) if item["id"] == approval_id)
    assert mine["status"] == "denied" and mine["note"] == "not this quarter"
    assert mine["delivery"].startswith("not delivered")
    unknown = runner.invoke(
        cli, ["node", "approvals", "approve", "--config", str(governed.config), "nope"]
    )
    assert unknown.exit_code == 6 and "no such approval" in unknown.output
