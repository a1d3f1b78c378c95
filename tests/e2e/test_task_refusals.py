"""The hub's task endpoints refuse what they must (real hub servers, nodes driven by hand):
another node's task, a replayed or second result, an unknown key, a task past its lifetime;
and the queue survives the hub process that made it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from app.cli.servers import ServerThread, free_port
from app.config import ApprovalSection, HubLinkSection, NodeSettings, load_hub_settings
from app.errors import Unavailable
from app.exchange.tasks import FetchedTask, ResultUpload
from app.hub.app import create_hub_app
from app.hub.report_checks import MAX_REPORT_BYTES
from app.hub.requests import query_from_request
from app.hub.routes_tasks import MAX_UPLOAD_BYTES
from app.hub.service import HubService
from app.hub.tables import task_table
from app.hub.tokens import TokenRegistry
from app.node.app import node_app_for
from app.node.context import build_node_context
from app.node.pull import PullWorker
from app.trust.httpx_auth import SignedRequestAuth
from app.trust.keys import SigningKey, load_signing_key, write_key_pair
from tests.e2e.governance import fresh_database_url, node_key, signed_client
from tests.e2e.network import Network, build_network

pytestmark = pytest.mark.e2e
PERIOD = {"start": "2024-01-01", "end": "2025-06-30"}


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Network]:
    yield from build_network(tmp_path_factory.mktemp("task-refusals"))


@dataclass
class ManualHub:
    """A hub whose pull nodes (``de``, ``no``) are driven by hand, one request at a time."""

    url: str
    headers: dict[str, str]
    de: NodeSettings
    server: ServerThread

    def query(self, body: dict[str, Any]) -> str:
        response = httpx.post(f"{self.url}/api/queries", json=body, headers=self.headers)
        assert response.status_code == 202, response.text
        return str(response.json()["id"])

    def statuses(self, query_id: str) -> dict[str, tuple[str, str | None]]:
        document = httpx.get(f"{self.url}/api/queries/{query_id}", headers=self.headers).json()
        return {node["id"]: (node["status"], node["detail"]) for node in document["nodes"]}


def _manual_hub(network: Network, **hub: Any) -> Iterator[ManualHub]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    entries, de = [], None
    for node_id in ("de", "no"):
        settings = network.node_settings(node_id)
        settings = settings.model_copy(
            update={"hub": HubLinkSection(url=url, mode="pull"), "approval": ApprovalSection()}
        )
        de = settings if node_id == "de" else de
        base = next(n for n in load_hub_settings(network.hub_config).nodes if n.id == node_id)
        entries.append(base.model_copy(update={"url": settings.node.public_url, "mode": "pull"}))
    settings = network.hub_settings(entries, port=port, public_url=url, **hub)
    settings = settings.model_copy(
        update={
            "hub": settings.hub.model_copy(update={"database_url": fresh_database_url(network)})
        }
    )
    server = ServerThread(create_hub_app(settings), port, name="manual-hub").start()
    token = TokenRegistry.from_file(settings.hub.api_token_file).first_token()
    assert de is not None
    try:
        yield ManualHub(url, {"Authorization": f"Bearer {token}"}, de, server)
    finally:
        server.stop()


@pytest.fixture(scope="module")
def manual_hub(network: Network) -> Iterator[ManualHub]:
    yield from _manual_hub(network)


def _fetch(client: httpx.Client) -> list[FetchedTask]:
    response = client.get("/api/tasks", params={"wait": "0"})
    if response.status_code == 204:
        return []
    assert response.status_code == 200, response.text
    return [FetchedTask.from_json(task) for task in response.json()["tasks"]]


def _answer(settings: NodeSettings, task: FetchedTask) -> ResultUpload:
    """The node's real answer to a fetched task, through its own app (as the pull worker does)."""
    context = build_node_context(settings)

    async def answer() -> ResultUpload:
        async with PullWorker(context, node_app_for(context)) as worker:
            return await worker.answer(task)

    try:
        return asyncio.run(answer())
    finally:
        context.engine.dispose()


def _signed_upload(key: SigningKey, url: str, task_id: str, upload: ResultUpload) -> httpx.Request:
    """A signed result upload, built once so that it can be sent twice (a replay)."""
    request = httpx.Request(
        "POST",
        f"{url}/api/tasks/{task_id}/result",
        content=upload.to_json(),
        headers={"content-type": "application/json"},
    )
    return next(SignedRequestAuth(key).sync_auth_flow(request))


def test_a_node_sees_and_answers_only_its_own_tasks(
    network: Network, manual_hub: ManualHub
) -> None:
    query_id = manual_hub.query({"measure": "treated-patients", "period": PERIOD})
    with (
        signed_client(node_key(network.root, "no"), manual_hub.url) as no,
        signed_client(node_key(network.root, "de"), manual_hub.url) as de,
    ):
        [no_task] = _fetch(no)
        [de_task] = _fetch(de)
        assert no_task.query_id == de_task.query_id == query_id
        assert no_task.id != de_task.id
        assert _fetch(de) == []  # leased: not handed out twice
        upload = _answer(manual_hub.de, de_task)
        foreign = no.post(
            f"/api/tasks/{de_task.id}/result",
            content=upload.to_json(),
            headers={"content-type": "application/json"},
        )
        assert foreign.status_code == 403, foreign.text
        assert "not a task of node no" in foreign.text
        assert manual_hub.statuses(query_id)["de"] == ("pending", "awaiting-pull")


def test_a_replayed_or_second_result_is_refused_and_the_first_kept(
    network: Network, manual_hub: ManualHub
) -> None:
    query_id = manual_hub.query({"measure": "treated-patients", "period": PERIOD})
    key = node_key(network.root, "de")
    with signed_client(key, manual_hub.url) as de:
        [task] = [t for t in _fetch(de) if t.query_id == query_id]
        upload = _answer(manual_hub.de, task)
        signed = _signed_upload(key, manual_hub.url, task.id, upload)
        with httpx.Client(timeout=30) as plain:
            first = plain.send(signed)
            assert first.status_code == 200, first.text
            assert first.json()["status"] == "ok"
            replayed = plain.send(signed)
        assert replayed.status_code == 409 and "replayed nonce" in replayed.text
        second = de.post(
            f"/api/tasks/{task.id}/result",
            content=upload.to_json(),
            headers={"content-type": "application/json"},
        )
        assert second.status_code == 409 and "has its result already" in second.text
    assert manual_hub.statuses(query_id)["de"] == ("ok", None)


def test_an_upload_signed_by_an_unknown_key_is_refused(
    network: Network, manual_hub: ManualHub, tmp_path: Path
) -> None:
    query_id = manual_hub.query({"measure": "treated-patients", "period": PERIOD})
    write_key_pair(tmp_path, "stranger")
    stranger = load_signing_key(tmp_path / "stranger.pem")
    with signed_client(node_key(network.root, "de"), manual_hub.url) as de:
        [task] = [t for t in _fetch(de) if t.query_id == query_id]
    upload = _answer(manual_hub.de, task)
    with signed_client(stranger, manual_hub.url) as client:
        assert client.get("/api/tasks").status_code == 401
        refused = client.post(
            f"/api/tasks/{task.id}/result",
            content=upload.to_json(),
            headers={"content-type": "application/json"},
        )
    assert refused.status_code == 401 and "unknown key" in refused.text
    assert manual_hub.statuses(query_id)["de"] == ("pending", "awaiting-pull")


def test_a_task_past_its_lifetime_times_out_and_its_late_result_is_refused(
    network: Network,
) -> None:
    for hub in _manual_hub(network, task_ttl_s=2):
        fetched_id = hub.query({"measure": "treated-patients", "period": PERIOD})
        with signed_client(node_key(network.root, "de"), hub.url) as de:
            [task] = _fetch(de)
            upload = _answer(hub.de, task)
            never_fetched = hub.query({"measure": "administrations", "period": PERIOD})
            time.sleep(3.1)
            late = de.post(
                f"/api/tasks/{task.id}/result",
                content=upload.to_json(),
                headers={"content-type": "application/json"},
            )
            assert late.status_code == 409 and "expired" in late.text
            assert _fetch(de) == []  # a task past its lifetime is not handed out
        expired = ("timeout", "no answer within task_ttl_s (2 s)")
        assert hub.statuses(fetched_id)["de"] == expired
        assert hub.statuses(never_fetched)["de"] == expired
        document = httpx.get(f"{hub.url}/api/queries/{never_fetched}", headers=hub.headers).json()
        assert document["status"] == "failed"  # no node answered in time


def test_push_tasks_a_stopped_hub_left_behind_are_sent_by_the_next_sweep(
    network: Network,
) -> None:
    entry = network.serve_node(network.node_settings("no")).model_copy(update={"mode": "push"})
    settings = network.hub_settings([entry])
    settings = settings.model_copy(
        update={
            "hub": settings.hub.model_copy(update={"database_url": fresh_database_url(network)})
        }
    )
    stopped = HubService(settings)
    query = query_from_request({"measure": "treated-patients", "period": PERIOD})
    [task] = stopped.tasks.create(query, actor="test", query_id="left-behind")
    # the process stopped before sending; time passes beyond its lease
    with stopped.engine.begin() as connection:
        connection.execute(
            update(task_table).where(task_table.c.id == task.id).values(lease_until_s=0)
        )
    stopped.engine.dispose()
    restarted = HubService(settings)
    assert restarted.document("left-behind").status == "running"
    assert asyncio.run(restarted.sweep()) == 1
    document = restarted.document("left-behind")
    assert document.status == "complete" and [n.status for n in document.nodes] == ["ok"]
    assert asyncio.run(restarted.sweep()) == 0  # answered once
    with restarted.engine.connect() as connection:
        attempts = connection.execute(select(task_table.c.attempts)).scalar_one()
    assert attempts == 2
    restarted.engine.dispose()


def test_a_steward_quicker_than_the_push_fan_out_is_asked_to_deliver_again(
    network: Network,
) -> None:
    entry = network.serve_node(network.node_settings("pt")).model_copy(update={"mode": "push"})
    settings = network.hub_settings([entry])
    settings = settings.model_copy(
        update={
            "hub": settings.hub.model_copy(update={"database_url": fresh_database_url(network)})
        }
    )
    service = HubService(settings)
    query = query_from_request({"measure": "treated-patients", "period": PERIOD})
    [task] = service.tasks.create(query, actor="test", query_id="still-sending")
    upload = ResultUpload(202, {"content-type": "application/fhir+json"}, b"{}")
    with pytest.raises(Unavailable, match="being sent"):
        service.tasks.accept("pt", task.id, upload)
    assert service.document("still-sending").nodes[0].status == "pending"
    service.engine.dispose()


def test_an_upload_over_the_report_size_limit_is_refused_before_it_is_read(
    network: Network, manual_hub: ManualHub
) -> None:
    query_id = manual_hub.query({"measure": "treated-patients", "period": PERIOD})
    key = node_key(network.root, "de")
    with signed_client(key, manual_hub.url) as de:
        [task] = [t for t in _fetch(de) if t.query_id == query_id]
    upload = _answer(manual_hub.de, task)
    # a report past the size limit by more than the cap's room for headers, base64-encoded
    padding = b" " * (MAX_REPORT_BYTES + 65_536)
    huge = ResultUpload(status=200, headers=upload.headers, body=upload.body + padding)
    assert len(huge.to_json()) > MAX_UPLOAD_BYTES
    with httpx.Client(timeout=30) as plain:
        declared = plain.send(_signed_upload(key, manual_hub.url, task.id, huge))

        def chunks() -> Iterator[bytes]:  # no Content-Length: refused as it streams in
            for _ in range(MAX_UPLOAD_BYTES // 65_536 + 2):
                yield b"x" * 65_536

        streamed = plain.post(f"{manual_hub.url}/api/tasks/{task.id}/result", content=chunks())
    for refused in (declared, streamed):
        assert refused.status_code == 413, refused.text
        outcome = refused.json()
        assert outcome["resourceType"] == "OperationOutcome"
        assert f"more than {MAX_UPLOAD_BYTES} bytes" in outcome["issue"][0]["diagnostics"]
    assert manual_hub.statuses(query_id)["de"] == ("pending", "awaiting-pull")

    with httpx.Client(timeout=30) as plain:
        accepted = plain.send(_signed_upload(key, manual_hub.url, task.id, upload))
    assert accepted.status_code == 200, accepted.text
    assert manual_hub.statuses(query_id)["de"] == ("ok", None)
