"""Faults of the load-and-faults item: a node dying mid-answer, a node database locked by ingest.

Nothing is lost or half-written: the hub gives the dead node a status and pools the others, and
a locked database refuses the ingest in one line, storing nothing until a re-run stores it once.
"""

from __future__ import annotations

import asyncio
import socket
import socketserver
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from app.cli.main import cli
from app.cli.servers import free_port
from app.errors import Unavailable
from app.hub.requests import query_from_request
from app.hub.service import HubService
from app.hub.tables import node_result_table, query_table, task_table
from app.store import create_store_engine, upgrade_schema
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


class _DiesMidAnswer(socketserver.ThreadingTCPServer):
    """Relays each request to a real node, then sends the hub half its answer and hangs up.

    The node evaluates and audits the answer; the hub sees the connection drop mid-body, as
    when the node process is killed while writing it.
    """

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.answers_cut = 0
        super().__init__(("127.0.0.1", port), _CutHandler)


class _CutHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        server: _DiesMidAnswer = self.server  # type: ignore[assignment]
        head, body = _read_message(self.request)
        if not head:
            return
        with socket.create_connection(("127.0.0.1", server.upstream_port)) as upstream:
            upstream.sendall(head + b"\r\n\r\n" + body)
            answer_head, answer = _read_message(upstream)
        assert len(answer) > 100, answer_head  # a real answer, cut in the middle below
        self.request.sendall(answer_head + b"\r\n\r\n" + answer[: len(answer) // 2])
        server.answers_cut += 1
        self.request.shutdown(socket.SHUT_RDWR)


def test_node_dying_mid_answer_gets_a_status_and_the_rest_is_pooled(network: Network) -> None:
    healthy = network.serve_node(network.node_settings("no", min_cell=1, **EXACT))
    de_settings = network.node_settings("de", min_cell=1, **EXACT)
    real_de = network.serve_node(de_settings)
    proxy = _DiesMidAnswer(free_port(), de_settings.node.port)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        # the node signs for its own URL: the hub's request must reach it with that audience
        dying = real_de.model_copy(update={"url": f"http://127.0.0.1:{proxy.server_address[1]}"})
        service = HubService(network.hub_settings([healthy, dying], timeout_s=20.0))
        document = asyncio.run(service.run_query(query_from_request(QUERY), actor="t")).model_dump()
    finally:
        proxy.shutdown()
        proxy.server_close()
    assert proxy.answers_cut >= 1
    statuses = {node["id"]: node["status"] for node in document["nodes"]}
    assert statuses == {"no": "ok", "de": "unreachable"}
    no_total = next(r for r in document["rows"] if r["country"] == "NO" and r["stratifier"] is None)
    all_total = next(
        r for r in document["rows"] if r["country"] == "ALL" and r["stratifier"] is None
    )
    assert all_total["count"] == no_total["count"] > 0

    # the hub's database: the query finished, each node settled once, nothing of the cut answer
    with service.engine.connect() as connection:
        queries = connection.execute(select(query_table)).mappings().all()
        results = connection.execute(select(node_result_table)).mappings().all()
        tasks = connection.execute(select(task_table)).mappings().all()
    service.engine.dispose()
    assert [(q["status"], q["document_json"] is not None) for q in queries] == [("complete", True)]
    by_node = {row["node_id"]: row for row in results}
    assert sorted(row["node_id"] for row in results) == ["de", "no"]
    assert by_node["de"]["status"] == "unreachable" and by_node["de"]["receipt_json"] is None
    assert by_node["no"]["status"] == "ok" and by_node["no"]["receipt_json"]
    assert {task["node_id"]: task["status"] for task in tasks} == {"no": "ok", "de": "unreachable"}

    # every audit chain verifies: the hub's, and both nodes' (the cut node audited its answers)
    runner = CliRunner()
    for config in (network.hub_config, network.node_configs["no"], network.node_configs["de"]):
        verified = runner.invoke(cli, ["audit", "verify", "--config", str(config)])
        assert verified.exit_code == 0, verified.output


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
