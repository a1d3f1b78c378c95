"""Load, reduced for CI: concurrent queries through the hub and concurrent signed evaluations on
one node give no error, unique nonces and intact audit chains (``bench/bench_load.py``: full size)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.e2e.load import hub_queries, node_evaluations, start_network

pytestmark = pytest.mark.e2e


def test_concurrent_queries_and_evaluations_lose_nothing(tmp_path: Path) -> None:
    network = start_network(tmp_path, patients=80, nodes=2, concurrency=6)
    try:
        queries = asyncio.run(hub_queries(network, concurrency=6, duration_s=4.0))
        evaluations, nonces = asyncio.run(node_evaluations(network, calls=40))
        intact = network.audit_chains_intact()
    finally:
        network.stop()
    assert queries.calls >= 6 and queries.errors == 0, queries.summary()
    assert evaluations.calls == 40 and evaluations.errors == 0, evaluations.summary()
    assert len(nonces) == 40 and len(set(nonces)) == 40
    assert intact == {"no": True, "de": True, "hub": True}
