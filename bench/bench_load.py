"""Load on a real network: concurrent federated queries through the hub, concurrent signed
evaluations on one node; errors, throughput, latency percentiles, nonces and audit chains.

    python bench/bench_load.py [--patients 400] [--nodes 3] [--concurrency 50] [--duration-s 60]
                               [--evaluations 200] [--json]

Three nodes (provisioned synthetic registries) and the hub run as uvicorn servers in this process
on 127.0.0.1. Phase 1: ``--concurrency`` analysts each start a query through ``POST /api/queries``
and poll it until it is final, again and again for ``--duration-s``. Phase 2: ``--evaluations``
signed ``$evaluate-measure`` requests sent to one node at once (it runs
``limits.max_concurrent_evaluations`` at a time; the rest wait). Each phase is compared with a
baseline measured first in the same run: the same calls one at a time. Afterwards every nonce
must be unique and every audit chain intact. Figures are printed, never asserted (the CI-reduced
run with assertions is ``tests/e2e/test_load.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.e2e.load import hub_queries, node_evaluations, start_network


def main() -> None:
    """Run both phases and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=400)
    parser.add_argument("--nodes", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--duration-s", type=float, default=60.0)
    parser.add_argument("--evaluations", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        network = start_network(
            Path(folder), patients=args.patients, nodes=args.nodes, concurrency=args.concurrency
        )
        try:
            baseline_q = asyncio.run(hub_queries(network, concurrency=1, duration_s=5.0))
            loaded_q = asyncio.run(
                hub_queries(network, concurrency=args.concurrency, duration_s=args.duration_s)
            )
            baseline_e, _ = asyncio.run(node_evaluations(network, calls=1))
            baseline_e2, _ = asyncio.run(node_evaluations(network, calls=1))
            loaded_e, nonces = asyncio.run(node_evaluations(network, calls=args.evaluations))
            intact = network.audit_chains_intact()
        finally:
            network.stop()
    base_e = min(baseline_e.latencies_s + baseline_e2.latencies_s)
    result: dict[str, Any] = {
        "setup": vars(args),
        "hub_queries": {
            "baseline_one_analyst": baseline_q.summary(),
            "loaded": loaded_q.summary(),
            "p50_over_baseline": _ratio(loaded_q, baseline_q),
        },
        "node_evaluations": {
            "baseline_one_call_ms": round(1000 * base_e, 1),
            "loaded": loaded_e.summary(),
            "p50_over_baseline": round(sorted(loaded_e.latencies_s)[len(nonces) // 2] / base_e, 2),
        },
        "nonces": {"sent": len(nonces), "unique": len(set(nonces))},
        "audit_chains_intact": intact,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    _print(result)


def _ratio(loaded: Any, baseline: Any) -> float:
    a, b = loaded.summary()["p50_ms"], baseline.summary()["p50_ms"]
    return round(a / b, 2) if b else 0.0


def _print(result: dict[str, Any]) -> None:
    setup = result["setup"]
    print(
        f"network: {setup['nodes']} nodes x {setup['patients']} patients, hub; "
        f"{setup['concurrency']} analysts for {setup['duration_s']:g} s; "
        f"{setup['evaluations']} evaluations at once on one node"
    )
    print("phase                     calls  errors  per s   p50 ms   p95 ms   p99 ms")
    rows = [
        ("queries, one analyst", result["hub_queries"]["baseline_one_analyst"]),
        ("queries, loaded", result["hub_queries"]["loaded"]),
        ("evaluations, loaded", result["node_evaluations"]["loaded"]),
    ]
    for name, row in rows:
        print(
            f"{name:<24}{row['calls']:>7}{row['errors']:>8}{row['per_s']:>7}"
            f"{row['p50_ms']:>9}{row['p95_ms']:>9}{row['p99_ms']:>9}"
        )
    print(f"query p50 over one analyst: {result['hub_queries']['p50_over_baseline']}x")
    evaluations = result["node_evaluations"]
    print(
        f"evaluation p50 over one call ({evaluations['baseline_one_call_ms']} ms): "
        f"{evaluations['p50_over_baseline']}x"
    )
    print(f"nonces: {result['nonces']}; audit chains intact: {result['audit_chains_intact']}")


if __name__ == "__main__":
    main()
