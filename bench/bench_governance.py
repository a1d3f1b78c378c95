"""Benchmark the latency a pull round trip adds over push, on loopback.

    python bench/bench_governance.py [--queries 25] [--patients 400] [--json]

Two nodes hold the same synthetic registry (same seed) and run as separate ``ketanet node
serve`` processes: ``push`` answers the hub's calls (uvicorn), ``pull`` opens no socket and
long-polls its hub. Each has its own hub (own database). The bench process runs both hubs' real
path (``HubService.run_query``: record the query and its task, sign, deliver, verify the signed
answer, pool, record) in one event loop, alternating push and pull query by query; each query
has its own period, so both nodes evaluate it anew (no cache hit). The pull hub is also served by
uvicorn in this process (its ``/api/tasks`` endpoints); the query's task wakes the waiting
long-poll in process. Reported: median and p90 per mode, the added median latency of pull and
the ratio pull / push. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.cli.init import scaffold_hub
from app.cli.provision import govern_node, provision_node
from app.cli.servers import ServerThread, free_port
from app.config import load_hub_settings, load_node_settings
from app.hub.app import create_hub_app
from app.hub.requests import query_from_request
from app.hub.service import HubService

KETANET = Path(sys.executable).parent / "ketanet"


def _query(number: int) -> Any:
    start = date(2024, 1, 1) + timedelta(days=number)
    return query_from_request(
        {
            "measure": "treated-patients",
            "period": {"start": start.isoformat(), "end": "2025-06-30"},
            "stratify": ["route"],
        }
    )


def _wait_http(url: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise SystemExit(f"{url} did not start") from None
            time.sleep(0.1)


async def _series(push: HubService, pull: HubService, queries: int) -> dict[str, list[float]]:
    """Alternate push and pull queries in one event loop; return the latencies in ms."""
    await push.keep_connections()
    timings: dict[str, list[float]] = {"push": [], "pull": []}
    try:
        for number in range(queries + 2):
            order = [("push", push), ("pull", pull)]
            for mode, service in order if number % 2 else reversed(order):
                started = time.perf_counter()
                document = await service.run_query(_query(number), actor="bench", wait_s=60)
                elapsed_ms = (time.perf_counter() - started) * 1000
                assert [n.status for n in document.nodes] == ["ok"], document.nodes
                if number >= 2:  # two warm-ups
                    timings[mode].append(elapsed_ms)
    finally:
        await push.aclose()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--queries", type=int, default=25)
    parser.add_argument("--patients", type=int, default=400)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        push_hub = scaffold_hub(root / "hub-push", port=free_port())
        pull_hub = scaffold_hub(root / "hub-pull", port=free_port())
        push_node, _ = provision_node(
            root, node_id="push", country="NO", patients=args.patients, seed=7, hub_config=push_hub
        )
        pull_node, _ = provision_node(
            root, node_id="pull", country="NO", patients=args.patients, seed=7, hub_config=pull_hub
        )
        govern_node(pull_node, pull_hub, mode="pull", poll_wait_s=30)
        pull_settings = load_hub_settings(pull_hub)
        server = ServerThread(create_hub_app(pull_settings), pull_settings.hub.port).start()
        pull_service: HubService = server.server.config.app.state.service
        children = [
            subprocess.Popen(
                [str(KETANET), "node", "serve", "--config", str(config)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for config in (push_node, pull_node)
        ]
        try:
            _wait_http(f"{load_node_settings(push_node).node.public_url}/health")
            push_service = HubService(load_hub_settings(push_hub))
            timings = asyncio.run(_series(push_service, pull_service, args.queries))
        finally:
            for child in children:
                child.terminate()
                child.wait(15)
            server.stop()
    result: dict[str, Any] = {"queries": args.queries, "patients": args.patients}
    for mode, values in timings.items():
        result[f"{mode}_median_ms"] = statistics.median(values)
        result[f"{mode}_p90_ms"] = sorted(values)[int(0.9 * len(values))]
    result["pull_added_ms"] = result["pull_median_ms"] - result["push_median_ms"]
    result["pull_over_push"] = result["pull_median_ms"] / result["push_median_ms"]
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(
        f"one node, treated-patients by route, {args.patients} patients; median of "
        f"{args.queries} queries per mode, alternating (full run_query path, loopback)"
    )
    print(f"{'mode':>5} {'median ms':>10} {'p90 ms':>8}")
    for mode in ("push", "pull"):
        print(f"{mode:>5} {result[f'{mode}_median_ms']:>10.1f} {result[f'{mode}_p90_ms']:>8.1f}")
    print(
        f"pull adds {result['pull_added_ms']:.1f} ms to the median "
        f"({result['pull_over_push']:.2f}x push)"
    )


if __name__ == "__main__":
    main()
