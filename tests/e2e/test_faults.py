"""Faults of the load-and-faults item: a node dying mid-answer, a node database locked by ingest.

Nothing is lost or half-written: the hub gives the dead node a status and pools the others, and
a locked database refuses the ingest in one line, storing nothing until a re-run stores it once.
"""

from __future__ import annotations

import asyncio
import signal
import socket
import socketserver
import sqlite3
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from app.cli.main import cli
from app.cli.servers import free_port
from app.config import load_hub_settings, load_node_settings
from app.database import check_database
from app.errors import Unavailable
from app.hub.requests import query_from_request
from app.hub.service import HubService
from app.hub.tables import node_result_table, query_table, task_table
from app.store import create_store_engine, upgrade_schema
from tests.e2e.governance import alive, process, wait_until
from tests.e2e.network import EXACT, Network, build_network
from tests.ingest.support import run_cli, write_node_config, write_tiny_export

pytestmark = pytest.mark.e2e
QUERY = {"measure": "treated-patients", "period": {"start": "2024-01-01", "end": "2025-06-30"}}


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Network]:
    yield from build_network(tmp_path_factory.mktemp("faults"))


def _read_message(sock: socket.socket) -> tuple[bytes, bytes]:
    """Read one HTTP message's head and its whole Content-Length body from ``sock``."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data, b""
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head, body


class _Relay(socketserver.ThreadingTCPServer):
    """Relays each request to a real node on ``upstream_port``; ``fault`` decides what goes back.

    ``cut``: the node's whole answer is read, the hub gets its head and half its body, then the
    connection drops (as when a node dies while writing it). ``kill``: ``victim`` (the node's
    process) is SIGKILLed as soon as the request is handed to it, while it evaluates.
    """

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        port: int,
        upstream_port: int,
        *,
        fault: str,
        victim: subprocess.Popen[bytes] | None = None,
    ) -> None:
        self.upstream_port = upstream_port
        self.fault = fault
        self.victim = victim
        self.answers: list[bytes] = []
        super().__init__(("127.0.0.1", port), _RelayHandler)


class _RelayHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        relay: _Relay = self.server  # type: ignore[assignment]
        head, body = _read_message(self.request)
        if not head:
            return
        try:
            upstream = socket.create_connection(("127.0.0.1", relay.upstream_port))
        except OSError:
            return  # the node is gone: the hub sees the connection close without an answer
        with upstream:
            upstream.sendall(head + b"\r\n\r\n" + body)
            if relay.fault == "kill" and relay.victim is not None:
                relay.victim.send_signal(signal.SIGKILL)
                relay.victim.wait(timeout=15)
            try:
                answer_head, answer = _read_message(upstream)
            except ConnectionResetError:  # killed: its socket closed under the request
                answer_head, answer = b"", b""
        if relay.fault == "cut" and answer_head:
            relay.answers.append(answer_head.split(b"\r\n")[0])
            self.request.sendall(answer_head + b"\r\n\r\n" + answer[: len(answer) // 2])
        self.request.shutdown(socket.SHUT_RDWR)


def _serve(relay: _Relay) -> _Relay:
    threading.Thread(target=relay.serve_forever, daemon=True).start()
    return relay


def _stop(relay: _Relay) -> None:
    relay.shutdown()
    relay.server_close()


def _hub_database_settled(service: HubService, query_id: str, failed: str) -> None:
    """Assert the hub's database holds the finished query, each node settled once, and nothing
    of the failed node's answer."""
    with service.engine.connect() as connection:
        queries = (
            connection.execute(select(query_table).where(query_table.c.id == query_id))
            .mappings()
            .all()
        )
        results = (
            connection.execute(
                select(node_result_table).where(node_result_table.c.query_id == query_id)
            )
            .mappings()
            .all()
        )
        tasks = (
            connection.execute(select(task_table).where(task_table.c.query_id == query_id))
            .mappings()
            .all()
        )
    service.engine.dispose()
    assert [(q["status"], q["document_json"] is not None) for q in queries] == [("complete", True)]
    by_node = {row["node_id"]: row for row in results}
    assert sorted(row["node_id"] for row in results) == sorted(["no", failed])
    assert by_node[failed]["status"] == "unreachable" and by_node[failed]["receipt_json"] is None
    assert by_node["no"]["status"] == "ok" and by_node["no"]["receipt_json"]
    assert {task["node_id"]: task["status"] for task in tasks} == {
        "no": "ok",
        failed: "unreachable",
    }


def _pooled_only(document: dict[str, Any], failed: str) -> None:
    statuses = {node["id"]: node["status"] for node in document["nodes"]}
    assert statuses == {"no": "ok", failed: "unreachable"}
    no_total = next(r for r in document["rows"] if r["country"] == "NO" and r["stratifier"] is None)
    all_total = next(
        r for r in document["rows"] if r["country"] == "ALL" and r["stratifier"] is None
    )
    assert all_total["count"] == no_total["count"] > 0


def _chains_verify(*configs: Path) -> None:
    runner = CliRunner()
    for config in configs:
        verified = runner.invoke(cli, ["audit", "verify", "--config", str(config)])
        assert verified.exit_code == 0, verified.output


def test_node_dying_mid_answer_gets_a_status_and_the_rest_is_pooled(network: Network) -> None:
    healthy = network.serve_node(network.node_settings("no", min_cell=1, **EXACT))
    de_settings = network.node_settings("de", min_cell=1, **EXACT)
    # the node's public URL is the relay's: the hub signs for it and the node checks it
    relay_port = free_port()
    public = de_settings.node.model_copy(update={"public_url": f"http://127.0.0.1:{relay_port}"})
    dying = network.serve_node(de_settings.model_copy(update={"node": public}))
    relay = _serve(_Relay(relay_port, de_settings.node.port, fault="cut"))
    try:
        service = HubService(network.hub_settings([healthy, dying], timeout_s=20.0))
        document = asyncio.run(service.run_query(query_from_request(QUERY), actor="t")).model_dump()
    finally:
        _stop(relay)
    # the node answered in full each time (the hub retried), the hub got half of each
    assert relay.answers and set(relay.answers) == {b"HTTP/1.1 200 OK"}
    _pooled_only(document, "de")
    _hub_database_settled(service, document["query_id"], "de")
    _chains_verify(network.hub_config, network.node_configs["no"], network.node_configs["de"])


def test_node_process_killed_while_evaluating(network: Network, tmp_path: Path) -> None:
    healthy = network.serve_node(network.node_settings("no", min_cell=1, **EXACT))
    config = network.node_configs["pt"]
    settings = load_node_settings(config)
    relay_port = free_port()
    killed_config = config.with_name("node-killed.toml")
    killed_config.write_text(
        config.read_text().replace(
            f'public_url = "{settings.node.public_url}"',
            f'public_url = "http://127.0.0.1:{relay_port}"',
        )
    )
    assert load_node_settings(killed_config).node.public_url.endswith(str(relay_port))
    base = next(n for n in load_hub_settings(network.hub_config).nodes if n.id == "pt")
    entry = base.model_copy(update={"url": f"http://127.0.0.1:{relay_port}"})
    log = tmp_path / "pt.log"
    with process(["node", "serve", "--config", str(killed_config)], log=log) as child:
        health = f"http://127.0.0.1:{settings.node.port}/health"
        wait_until(lambda: alive(child, log) and _answers(health), what="node serving")
        relay = _serve(_Relay(relay_port, settings.node.port, fault="kill", victim=child))
        try:
            service = HubService(network.hub_settings([healthy, entry], timeout_s=20.0))
            query = query_from_request(QUERY)
            document = asyncio.run(service.run_query(query, actor="t")).model_dump()
        finally:
            _stop(relay)
        assert child.returncode == -signal.SIGKILL
    _pooled_only(document, "pt")
    _hub_database_settled(service, document["query_id"], "pt")
    # the killed node's database: intact, its audit chain verifies, and it serves again
    _chains_verify(network.hub_config, network.node_configs["no"], config)
    engine = create_store_engine(settings.node.database_url)
    try:
        check_database(engine, "node database")
    finally:
        engine.dispose()


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _stored_records(database: Path) -> int:
    engine = create_store_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as connection:
            return sum(
                connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
                for table in ("patient", "administration", "dispense", "observation")
            )
    finally:
        engine.dispose()


def test_locked_node_database_refuses_ingest_in_one_line_and_a_rerun_stores_once(
    tmp_path: Path,
) -> None:
    config = write_node_config(tmp_path / "node")
    # a short busy wait (the default waits 30 s for the lock to go)
    config.write_text(
        config.read_text().replace('"sqlite:///node.db"', '"sqlite:///node.db?timeout=0.5"')
    )
    database = tmp_path / "node" / "node.db"
    engine = create_store_engine(f"sqlite:///{database}")
    upgrade_schema(engine)
    engine.dispose()
    export = write_tiny_export(tmp_path / "export")

    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process is writing: it holds the write lock
    try:
        refused = run_cli("ingest", "--config", config, export)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert refused.exit_code == Unavailable.exit_code, refused.output
    assert refused.exception is None or isinstance(refused.exception, SystemExit)
    lines = refused.stderr.splitlines()
    assert len(lines) == 1 and "locked" in lines[0] and "nothing written" in lines[0], lines
    assert _stored_records(database) == 0

    first = run_cli("ingest", "--config", config, export, "--json")
    assert first.exit_code == 0, first.output
    totals = orjson.loads(first.stdout)["totals"]
    assert totals["inserted"] == totals["read"] > 0
    stored = _stored_records(database)
    again = run_cli("ingest", "--config", config, export, "--json")
    assert again.exit_code == 0, again.output
    assert orjson.loads(again.stdout)["totals"]["unchanged"] == totals["read"]
    assert _stored_records(database) == stored > 0
