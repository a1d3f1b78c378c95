"""Time and bytes of the cross-border overlap query, and how they grow with nodes and patients.

    python bench/bench_overlap.py [--nodes 3,5,8] [--patients 1000,10000,50000] [--base 10000]
                                  [--json]

Each network: N nodes on loopback (uvicorn threads in this process), each with ``--base`` (or the
given) patients from a synthetic export whose patients partly come from one traveller pool, a
shared linkage secret, and the hub relaying PSI between every pair. Reported per network: wall
time of the whole query (``$evaluate-measure`` fan-out and the three rounds of every pair),
bytes on the wire (request and response bodies and headers, as the hub's client sent and received
them), the number of pairs, and, as a baseline measured in the same run, the time of the bare PSI
arithmetic for the same set sizes in one thread (hash, blind, re-blind, count). Figures are
printed, never asserted. Only patients and administrations are ingested (all the measure reads).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.cli.init import scaffold_hub, scaffold_node, write_private_text
from app.cli.peers import add_node, add_peer
from app.cli.provision import ingest_folder
from app.cli.servers import ServerThread, free_port
from app.config import load_hub_settings, load_node_settings
from app.hub.requests import query_from_request
from app.hub.service import HubService
from app.linkage.psi import BlindingKey, blind_tokens, count_intersection, reblind
from app.node.app import create_node_app
from app.synth import TravellerOptions, write_synthetic_export

COUNTRIES = ("DE", "NO", "PT", "SE", "DK", "NL", "AT", "FI")
PERIOD = {"start": "2023-01-01", "end": "2026-03-31"}


class ByteCounter:
    """Counts the bytes of every request and response (bodies and headers) the hub exchanges."""

    def __init__(self) -> None:
        self.sent = 0
        self.received = 0
        self.trace = aiohttp.TraceConfig()
        self.trace.on_request_headers_sent.append(self._headers_sent)
        self.trace.on_request_chunk_sent.append(self._chunk_sent)
        self.trace.on_response_chunk_received.append(self._chunk_received)
        self.trace.on_request_end.append(self._response_headers)

    async def _headers_sent(self, _session: Any, _context: Any, params: Any) -> None:
        self.sent += sum(len(k) + len(v) + 4 for k, v in params.headers.items())

    async def _chunk_sent(self, _session: Any, _context: Any, params: Any) -> None:
        self.sent += len(params.chunk)

    async def _chunk_received(self, _session: Any, _context: Any, params: Any) -> None:
        self.received += len(params.chunk)

    async def _response_headers(self, _session: Any, _context: Any, params: Any) -> None:
        self.received += sum(len(k) + len(v) + 4 for k, v in params.response.raw_headers)


def build(root: Path, nodes: int, patients: int) -> tuple[Path, list[ServerThread], list[int]]:
    """Scaffold, synthesise, ingest and serve ``nodes`` nodes; return hub.toml, servers, set sizes."""
    write_private_text(root / "linkage.secret", "b" * 64 + "\n")
    hub_config = scaffold_hub(root / "hub", port=free_port())
    servers, sizes = [], []
    for number, country in enumerate(COUNTRIES[:nodes]):
        node_id = country.lower()
        config = scaffold_node(
            root / node_id,
            node_id=node_id,
            country=country,
            port=free_port(),
            linkage_secret=root / "linkage.secret",
        )
        export = root / node_id / "export"
        write_synthetic_export(
            country=country,
            patients=patients,
            seed=100 + number,
            out_dir=export,
            formats="csv",
            travellers=TravellerOptions(share=0.1, network_seed=7),
        )
        wanted = export / "wanted"
        wanted.mkdir()
        for name in ("patients.csv", "administrations.csv"):
            shutil.move(export / "csv" / name, wanted / name)
        ingest_folder(config, wanted)
        add_peer(
            config, name="hub", jwk=root / "hub" / "keys" / "hub.jwk.json", grants=["aggregate"]
        )
        settings = load_node_settings(config)
        add_node(
            hub_config,
            node_id=node_id,
            country=country,
            url=settings.node.public_url,
            jwk=root / node_id / "keys" / f"{node_id}.jwk.json",
        )
        settings = settings.model_copy(
            update={
                "limits": settings.limits.model_copy(update={"query_timeout_s": 600}),
                "disclosure": settings.disclosure.model_copy(update={"min_cell": 1}),
            }
        )
        servers.append(
            ServerThread(create_node_app(settings), settings.node.port, name=node_id).start()
        )
        sizes.append(patients)
    return hub_config, servers, sizes


def bare_psi_s(sizes: list[int]) -> float:
    """Seconds of the PSI arithmetic alone for every pair of sets of these sizes (one thread)."""
    sets = [
        [bytes([i % 256, i // 256 % 256, n]) * 10 + b"xx" for i in range(size)]
        for n, size in enumerate(sizes)
    ]
    started = time.perf_counter()
    for a in range(len(sets)):
        for b in range(a + 1, len(sets)):
            key_a, key_b = BlindingKey.fresh(), BlindingKey.fresh()
            sent = blind_tokens(sets[a], key_a, size=len(sets[a]))
            back = reblind(sent, key_b)
            theirs = blind_tokens(sets[b], key_b, size=len(sets[b]))
            count_intersection(back, theirs, key_a)
    return time.perf_counter() - started


def measure(nodes: int, patients: int) -> dict[str, Any]:
    """Build one network, run the overlap query once, and return its figures."""
    with tempfile.TemporaryDirectory() as folder:
        hub_config, servers, sizes = build(Path(folder), nodes, patients)
        try:
            counter = ByteCounter()
            settings = load_hub_settings(hub_config)
            settings = settings.model_copy(
                update={"hub": settings.hub.model_copy(update={"timeout_s": 1800})}
            )
            service = HubService(settings, trace_configs=[counter.trace])
            query = query_from_request({"measure": "cross-border-overlap", "period": PERIOD})
            started = time.perf_counter()
            document = asyncio.run(service.run_query(query, actor="bench"))
            elapsed = time.perf_counter() - started
            service.engine.dispose()
        finally:
            for server in servers:
                server.stop()
    statuses = [node.status for node in document.nodes]
    pairs = [row for row in document.rows if row.population == "overlap"]
    return {
        "nodes": nodes,
        "patients_per_node": patients,
        "pairs": len(pairs),
        "node_statuses": statuses,
        "seconds": round(elapsed, 2),
        "bytes_sent": counter.sent,
        "bytes_received": counter.received,
        "megabytes": round((counter.sent + counter.received) / 1e6, 2),
        "bare_psi_seconds": round(bare_psi_s(sizes), 2),
        "pair_counts": {row.stratum: row.count for row in pairs},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nodes", default="3,5,8")
    parser.add_argument("--patients", default="1000,10000,50000")
    parser.add_argument(
        "--base", type=int, default=10_000, help="patients per node when nodes vary"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    runs = [(int(n), args.base) for n in args.nodes.split(",")]
    runs += [(3, int(p)) for p in args.patients.split(",") if (3, int(p)) not in runs]
    results = []
    for nodes, patients in runs:
        result = measure(nodes, patients)
        results.append(result)
        if not args.json:
            print(
                f"{nodes} nodes x {patients:>6} patients: {result['pairs']:>2} pairs, "
                f"{result['seconds']:7.2f} s, {result['megabytes']:7.2f} MB on the wire, "
                f"bare PSI {result['bare_psi_seconds']:6.2f} s "
                f"(query / bare {result['seconds'] / max(result['bare_psi_seconds'], 1e-9):.2f})",
                flush=True,
            )
    base = next(
        (r for r in results if (r["nodes"], r["patients_per_node"]) == (3, args.base)), None
    )
    if base is not None and not args.json:
        print(f"\nratios to 3 nodes x {args.base} patients (time, bytes):")
        for r in results:
            print(
                f"  {r['nodes']} x {r['patients_per_node']:>6}: time {r['seconds'] / base['seconds']:.2f}x, "
                f"bytes {r['megabytes'] / base['megabytes']:.2f}x, pairs {r['pairs'] / base['pairs']:.2f}x"
            )
    if args.json:
        print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
