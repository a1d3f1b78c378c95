"""Benchmark the hub's fan-out: latency over the slowest node with 1, 5, 10, 20 and 50 nodes.

    python bench/bench_hub.py [--delay-ms 100] [--repeats 15] [--json]

Every node answers ``$evaluate-measure`` after a fixed delay with a real signed MeasureReport, so
node CPU does not confound the hub's own cost. The nodes run as uvicorn servers in ONE separate
process (one event loop), so they do not share the hub's interpreter. For each network size the
hub runs the real path (``HubService.run_query``: sign each request, fan out, verify each signed
response, parse, pool, record) and we report the median latency, the overhead over the delay, the
overhead per extra node and the ratio to one node. Figures are printed, never asserted.

Each node signs its answer when the request arrives and sends it when the delay is over (a real
node signs on its own machine; here 50 nodes share one process). The hub process freezes its
start-up objects out of garbage collection as ``ketanet hub serve`` does (``--no-freeze``: not).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.cli.heap import freeze_startup_objects
from app.cli.init import scaffold_hub
from app.cli.servers import free_port
from app.config import NodeEntry, load_hub_settings
from app.exchange.answer import Cell, MeasureAnswer, PopulationResult
from app.exchange.measure_report import to_measure_report
from app.hub.requests import query_from_request
from app.hub.service import HubService
from app.trust.keys import load_signing_key, write_key_pair
from app.trust.signatures import sign_response

QUERY = {
    "measure": "treated-patients",
    "period": {"start": "2024-01-01", "end": "2024-12-31"},
    "stratify": ["route"],
}


def country(index: int) -> str:
    """Return node ``index``'s two-letter code, distinct up to 78 nodes (XA…XZ, YA…YZ, ZA…ZZ)."""
    return f"{'XYZ'[index // 26]}{chr(65 + index % 26)}"


def _report(country: str) -> bytes:
    strata = {
        "route": {r: Cell(40 + i) for i, r in enumerate(("iv", "im", "sc", "oral", "intranasal"))}
    }
    answer = MeasureAnswer(
        measure="treated-patients",
        version="1",
        period_start=date(2024, 1, 1),
        period_end=date(2024, 12, 31),
        populations=[
            PopulationResult(
                "treated-patients",
                Cell(sum(c.count or 0 for c in strata["route"].values())),
                strata,
            )
        ],
        country=country,
        node_id=country.lower(),
        data_as_of="2026-11-20T08:00:00Z",
    )
    return json.dumps(to_measure_report(answer)).encode()


def serve_nodes(count: int, key_path: Path, delay_s: float) -> None:
    """Run ``count`` delayed, signing nodes in this process's event loop (child mode).

    Each node's socket is bound here, to a port the system picks, and the ports are printed on
    one line before serving: no port is chosen free and then lost to another process. The
    sockets are made with ``IPPROTO_TCP`` so that asyncio sets ``TCP_NODELAY`` on the accepted
    connections, as it does for a server that binds its own (``ketanet node serve``): with
    protocol 0 it does not, and Nagle's algorithm holds each response body until the hub's
    delayed ACK, 40 ms per answer.
    """
    key = load_signing_key(key_path)
    sockets = []
    for _ in range(count):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sockets.append(sock)
    print(",".join(str(sock.getsockname()[1]) for sock in sockets), flush=True)

    def make_app(index: int) -> Any:
        # A bare ASGI app, not FastAPI: 50 nodes share this one process, and FastAPI's request
        # path (~0.5 ms a request here) would queue their answers behind each other.
        body = _report(country(index))

        async def evaluate(scope: dict[str, Any], receive: Any, send: Any) -> None:
            if scope["type"] != "http":
                return
            while (await receive()).get("more_body"):
                pass
            if scope["method"] != "POST" or scope["path"] != "/fhir/Measure/$evaluate-measure":
                await send({"type": "http.response.start", "status": 404, "headers": []})
                await send({"type": "http.response.body", "body": b""})
                return
            # The node signs its answer as soon as it has it and sends it when the delay is
            # over: in a real network every node signs on its own machine, in parallel, so
            # signing after the delay would queue 50 nodes' signatures in this one process and
            # count them as the hub's time.
            arrived = time.perf_counter()
            headers = sign_response(
                status=200,
                headers={"content-type": "application/fhir+json"},
                body=body,
                request=_Req(scope),
                key=key,
                now=time.time(),
            )
            await asyncio.sleep(max(0.0, delay_s - (time.perf_counter() - arrived)))
            fields = [(b"content-type", b"application/fhir+json")]
            fields += [(k.lower().encode(), v.encode()) for k, v in headers.items()]
            fields.append((b"content-length", str(len(body)).encode()))
            await send({"type": "http.response.start", "status": 200, "headers": fields})
            await send({"type": "http.response.body", "body": body})

        return evaluate

    async def main() -> None:
        servers = [
            uvicorn.Server(uvicorn.Config(make_app(i), log_level="error", lifespan="off"))
            for i in range(count)
        ]
        await asyncio.gather(
            *(s.serve(sockets=[sock]) for s, sock in zip(servers, sockets, strict=True))
        )

    asyncio.run(main())


class _Req:
    """The request as the node received it (its ASGI scope), for response signing."""

    def __init__(self, scope: dict[str, Any]) -> None:
        host, port = scope["server"]
        query = scope["query_string"].decode("latin-1")
        self.method = scope["method"]
        self.url = f"http://{host}:{port}{scope['raw_path'].decode('latin-1')}" + (
            f"?{query}" if query else ""
        )
        self.headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]


async def _series(service: HubService, query: Any, repeats: int) -> tuple[list[float], list[float]]:
    """Run ``repeats`` queries in one event loop, as the hub server does (connections kept alive)."""
    await service.keep_connections()
    timings, cpu = [], []
    try:
        for repeat in range(repeats + 2):
            started, cpu_started = time.perf_counter(), time.process_time()
            document = (await service.run_query(query, actor="bench")).model_dump()
            elapsed, cpu_used = time.perf_counter() - started, time.process_time() - cpu_started
            assert all(n["status"] == "ok" for n in document["nodes"]), document["nodes"]
            if repeat >= 2:  # two warm-ups
                timings.append(elapsed * 1000)
                cpu.append(cpu_used * 1000)
    finally:
        await service.aclose()
    return timings, cpu


def _wait_up(ports: list[int]) -> None:
    deadline = time.monotonic() + 60
    for port in ports:
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise SystemExit(f"node on {port} did not start") from None
                time.sleep(0.1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--delay-ms", type=float, default=100)
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--sizes", default="1,5,10,20,50")
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--no-freeze",
        action="store_true",
        help="leave the start-up objects to the garbage collector (ketanet hub serve freezes them)",
    )
    parser.add_argument("--serve-nodes", help=argparse.SUPPRESS)
    parser.add_argument("--key", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_nodes:
        serve_nodes(int(args.serve_nodes), Path(args.key), args.delay_ms / 1000)
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_key_pair(root, "node")
        hub_config = scaffold_hub(root / "hub", port=free_port())
        child = subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--serve-nodes",
                str(max(sizes)),
                "--key",
                str(root / "node.pem"),
                "--delay-ms",
                str(args.delay_ms),
            ],
            env=os.environ.copy(),
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert child.stdout is not None
            ports = [int(port) for port in child.stdout.readline().split(",")]
            _wait_up(ports)
            jwk = json.loads((root / "node.jwk.json").read_text())
            base = load_hub_settings(hub_config)
            results = []
            for size in sizes:
                nodes = [
                    NodeEntry(
                        id=f"n{i}",
                        country=country(i),
                        url=f"http://127.0.0.1:{ports[i]}",
                        jwks=[jwk],
                    )
                    for i in range(size)
                ]
                service = HubService(base.model_copy(update={"nodes": nodes}))
                query = query_from_request(QUERY)
                if not args.no_freeze:
                    freeze_startup_objects()  # as `ketanet hub serve` does once it has started
                timings, cpu = asyncio.run(_series(service, query, args.repeats))
                service.engine.dispose()
                results.append(
                    {
                        "nodes": size,
                        "median_ms": statistics.median(timings),
                        "p90_ms": sorted(timings)[int(0.9 * len(timings))],
                        "hub_cpu_ms": statistics.median(cpu),
                        # the least disturbed query: on a shared machine the median's CPU
                        # time grows with the other work (caches, clock), the minimum less so
                        "hub_cpu_min_ms": min(cpu),
                    }
                )
        finally:
            child.terminate()
            try:
                child.wait(10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
    one = results[0]["median_ms"]
    for row in results:
        row["over_slowest_ms"] = row["median_ms"] - args.delay_ms
        row["ratio_to_one_node"] = row["median_ms"] / one
        row["per_extra_node_ms"] = (
            (row["median_ms"] - one) / (row["nodes"] - 1) if row["nodes"] > 1 else 0.0
        )
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(
        f"hub fan-out, nodes answer after {args.delay_ms:g} ms; median of {args.repeats} (full run_query path, hub server loop)"
    )
    print(
        f"{'nodes':>5} {'median ms':>10} {'p90 ms':>8} {'over slowest':>13} {'per extra node':>15} {'x one node':>10} {'hub CPU ms':>10}"
    )
    for row in results:
        print(
            f"{row['nodes']:>5} {row['median_ms']:>10.1f} {row['p90_ms']:>8.1f} {row['over_slowest_ms']:>13.1f} "
            f"{row['per_extra_node_ms']:>15.2f} {row['ratio_to_one_node']:>10.2f} {row['hub_cpu_ms']:>10.1f} {row['hub_cpu_min_ms']:>10.1f}"
        )


if __name__ == "__main__":
    main()
