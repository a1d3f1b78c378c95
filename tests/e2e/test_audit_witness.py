"""The hub witnesses each node's audit log: a truncated log passes alone, fails against the hub."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import delete
from typer.testing import CliRunner

from app.cli.init import scaffold_hub
from app.cli.main import cli
from app.cli.provision import provision_node
from app.cli.servers import ServerThread, free_port
from app.config import load_hub_settings, load_node_settings
from app.database import create_store_engine
from app.errors import IntegrityError
from app.hub.requests import query_from_request
from app.hub.service import HubService
from app.hub.witness import checkpoints_of
from app.node.app import create_node_app
from app.trust.tables import audit_log

pytestmark = pytest.mark.e2e
QUERY = {"measure": "treated-patients", "period": {"start": "2024-01-01", "end": "2025-06-30"}}


def test_truncated_node_log_is_detected_against_the_hub_witness(tmp_path: Path) -> None:
    hub_config = scaffold_hub(tmp_path / "hub", port=free_port())
    config, _report = provision_node(
        tmp_path, node_id="no", country="NO", patients=30, seed=4, hub_config=hub_config,
        formats="csv",
    )  # fmt: skip
    settings = load_node_settings(config)
    server = ServerThread(create_node_app(settings), settings.node.port, name="no").start()
    try:
        service = HubService(load_hub_settings(hub_config))
        for _ in range(2):
            document = asyncio.run(service.run_query(query_from_request(QUERY), actor="t"))
            assert [node.status for node in document.nodes] == ["ok"]
        with service.engine.connect() as connection:
            kept = checkpoints_of(connection, "no")
        service.engine.dispose()
    finally:
        server.stop()
    assert [c["seq"] for c in kept] == sorted(c["seq"] for c in kept) and len(kept) == 2

    runner = CliRunner()
    verify = ["audit", "verify", "--config", str(config)]
    intact = runner.invoke(cli, [*verify, "--witness", str(hub_config)])
    assert intact.exit_code == 0, intact.output
    assert "2 checkpoint(s) matched" in intact.output

    # the operator drops the last answer's entries: the chain alone still looks whole
    engine = create_store_engine(settings.node.database_url)
    with engine.begin() as connection:
        connection.execute(delete(audit_log).where(audit_log.c.seq > kept[0]["seq"]))
    engine.dispose()
    assert runner.invoke(cli, verify).exit_code == 0
    truncated = runner.invoke(cli, [*verify, "--witness", str(hub_config)])
    assert truncated.exit_code == IntegrityError.exit_code
    (line,) = truncated.output.strip().splitlines()
    assert f"log truncated: a checkpoint holds entry {kept[1]['seq']}" in line
