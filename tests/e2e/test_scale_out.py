"""Two hub processes on one PostgreSQL database share the task queue with two pull nodes, each
node polling both hubs: every task is handed out and answered once, no result is lost."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
import tomli_w
from sqlalchemy import func, select

from app.cli.servers import free_port
from app.config import load_hub_settings, load_node_settings
from app.database import create_store_engine
from app.hub.tables import node_result_table, task_table
from app.hub.tokens import TokenRegistry
from app.trust.audit import AuditLog
from tests.e2e.governance import edit_toml, process, wait_for_http, wait_until
from tests.e2e.network import EXACT, Network, build_network

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]
QUERIES = 16


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Network]:
    yield from build_network(tmp_path_factory.mktemp("scale-out"))


def _hub_config(network: Network, database_url: str) -> Path:
    """A hub.toml beside the network's, on PostgreSQL, with ``no`` and ``de`` as pull nodes."""
    document = tomllib.loads(network.hub_config.read_text(encoding="utf-8"))
    document["hub"]["database_url"] = database_url
    nodes = []
    for node in document["nodes"]:
        if node["id"] in ("no", "de"):
            url = load_node_settings(network.node_configs[node["id"]]).node.public_url
            nodes.append(node | {"mode": "pull", "url": url})
    document["nodes"] = nodes
    config = network.hub_config.parent / "hub-pg.toml"
    config.write_text(tomli_w.dumps(document), encoding="utf-8")
    return config


def test_two_hub_processes_share_the_queue_and_answer_every_task_once(
    network: Network, postgres_schema_url: str, tmp_path: Path
) -> None:
    config = _hub_config(network, postgres_schema_url)
    hubs = [f"http://127.0.0.1:{free_port()}" for _ in range(2)]
    for node_id in ("no", "de"):
        # Sixteen periods a day apart are what the default policy's near-duplicate guard refuses;
        # this test is about the queue, so the nodes answer with exact counts.
        edit_toml(
            network.node_configs[node_id],
            hub={"url": hubs[0], "mode": "pull", "poll_wait_s": 1},
            disclosure=EXACT,
        )
    token = TokenRegistry.from_file(load_hub_settings(config).hub.api_token_file).first_token()
    headers = {"Authorization": f"Bearer {token}"}
    with ExitStack() as stack:
        for number, url in enumerate(hubs):
            port = url.rsplit(":", 1)[1]
            env = {"KETANET_HUB_PORT": port, "KETANET_HUB_PUBLIC_URL": url}
            stack.enter_context(
                process(
                    ["hub", "serve", "--config", str(config)],
                    log=tmp_path / f"hub{number}.log",
                    env=env,
                )
            )
        for url in hubs:
            wait_for_http(f"{url}/api/nodes")
        # each node runs one pull worker per hub process: both race for every one of its tasks
        for node_id in ("no", "de"):
            for number, url in enumerate(hubs):
                stack.enter_context(
                    process(
                        ["node", "serve", "--config", str(network.node_configs[node_id])],
                        log=tmp_path / f"{node_id}-{number}.log",
                        env={"KETANET_HUB_URL": url},
                    )
                )
        # every worker long-polls its hub before the queries arrive, so they race for them
        for number in range(2):
            log = tmp_path / f"hub{number}.log"
            wait_until(
                lambda log=log: log.read_text().count("GET /api/tasks") >= 4,
                what=f"both nodes polling hub {number}",
            )
        started = []
        for number in range(QUERIES):
            start = date(2024, 1, 1) + timedelta(days=number)
            body = {
                "measure": "treated-patients",
                "period": {"start": start.isoformat(), "end": "2025-06-30"},
                "stratify": ["route"],
            }
            response = httpx.post(f"{hubs[number % 2]}/api/queries", json=body, headers=headers)
            assert response.status_code == 202, response.text
            started.append(response.json()["id"])

        def all_complete() -> list[dict[str, object]] | None:
            listed = httpx.get(f"{hubs[1]}/api/queries", headers=headers).json()
            ours = [q for q in listed if q["id"] in started]
            done = len(ours) == QUERIES and all(q["status"] != "running" for q in ours)
            return ours if done else None

        finished = wait_until(all_complete, timeout_s=120, what="every query to finish")
    assert {q["status"] for q in finished} == {"complete"}

    engine = create_store_engine(postgres_schema_url)
    try:
        with engine.connect() as connection:
            tasks = connection.execute(select(task_table)).all()
            results = connection.execute(
                select(
                    node_result_table.c.query_id, node_result_table.c.node_id, func.count()
                ).group_by(node_result_table.c.query_id, node_result_table.c.node_id)
            ).all()
        assert len(tasks) == 2 * QUERIES
        assert {task.status for task in tasks} == {"ok"}
        assert {task.attempts for task in tasks} == {1}  # each handed out exactly once
        assert len(results) == 2 * QUERIES and {count for *_key, count in results} == {1}
        assert AuditLog(engine).verify().ok  # both processes appended to one intact chain
    finally:
        engine.dispose()
    answered_via = [
        sum(
            (tmp_path / f"{node}-{number}.log").read_text().count("answered 200")
            for node in ("no", "de")
        )
        for number in range(2)
    ]
    assert sum(answered_via) == 2 * QUERIES and min(answered_via) > 0  # both hubs handed tasks out
    for node_id in ("no", "de"):
        node_db = create_store_engine(
            load_node_settings(network.node_configs[node_id]).node.database_url
        )
        try:
            answered = [
                e for e in AuditLog(node_db).entries()
                if e.action == "evaluate-measure" and e.decision == "answered"
            ]  # fmt: skip
        finally:
            node_db.dispose()
        digests = [entry.request_digest for entry in answered]
        assert len(digests) == QUERIES and len(set(digests)) == QUERIES  # each request once
