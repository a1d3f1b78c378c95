"""Federated query versus the centralised alternative, on one node with >= 100,000 administrations.

    python bench/bench_federation.py [--patients 7000] [--page 1000] [--json]

Centralised: pull every administration through record-level FHIR search (signed GETs, ``_count``
paging with ``next`` links, as a peer with the ``record`` grant would) and count at the hub.
Federated: one signed ``$evaluate-measure`` (administrations by route) answered by the node.
Reports bytes on the wire (request + response bodies and headers) and wall time, and their ratios;
checks that both give the same counts. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.cli.init import scaffold_hub
from app.cli.provision import provision_node
from app.cli.servers import ServerThread, free_port
from app.config import load_hub_settings, load_node_settings
from app.hub.requests import query_from_request
from app.hub.service import HubService
from app.node.app import create_node_app
from app.trust.httpx_auth import SignedRequestAuth
from app.trust.keys import load_signing_key


def _wire_bytes(response: httpx.Response) -> int:
    request = response.request
    head = sum(len(k) + len(v) + 4 for k, v in request.headers.raw) + len(str(request.url))
    head += sum(len(k) + len(v) + 4 for k, v in response.headers.raw)
    return head + len(request.content) + len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--patients", type=int, default=7000)
    parser.add_argument("--page", type=int, default=1000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        hub_config = scaffold_hub(root / "hub", port=free_port())
        config, _report = provision_node(
            root,
            node_id="no",
            country="NO",
            patients=args.patients,
            seed=7,
            hub_config=hub_config,
            grants=("aggregate", "record"),
            formats="csv",
        )
        settings = load_node_settings(config)
        port = settings.node.port
        administrations = (
            sum(1 for _ in (root / "no" / "export" / "csv" / "administrations.csv").open()) - 1
        )
        server = ServerThread(create_node_app(settings), port, name="no").start()
        try:
            key = load_signing_key(root / "hub" / "keys" / "hub.pem")
            # centralised: every administration record over FHIR search, counted at the hub
            started = time.perf_counter()
            wire, pages, by_route = 0, 0, Counter()
            url: str | None = f"{server.url}/fhir/MedicationAdministration?_count={args.page}"
            with httpx.Client(timeout=120, auth=SignedRequestAuth(key)) as client:
                while url:
                    response = client.get(url)
                    response.raise_for_status()
                    wire += _wire_bytes(response)
                    pages += 1
                    bundle = response.json()
                    for entry in bundle.get("entry", []):
                        coding = entry["resource"]["dosage"]["route"]["coding"]
                        by_route[
                            next(
                                c["code"]
                                for c in coding
                                if c["system"].startswith("https://ketanet")
                            )
                        ] += 1
                    url = next(
                        (
                            link["url"]
                            for link in bundle.get("link", [])
                            if link["relation"] == "next"
                        ),
                        None,
                    )
            central_s = time.perf_counter() - started
            # federated: one signed aggregate query through the hub's real path
            hub = HubService(load_hub_settings(hub_config))
            query = query_from_request(
                {
                    "measure": "administrations",
                    "period": {"start": "2000-01-01", "end": "2030-12-31"},
                    "stratify": ["route"],
                }
            )
            federated_bytes: list[int] = []
            started = time.perf_counter()
            document = asyncio.run(hub.run_query(query, actor="bench")).model_dump()
            federated_s = time.perf_counter() - started
            for item in hub.receipts(document["query_id"]):
                receipt = item["receipt"]
                federated_bytes.append(len(json.dumps(receipt)))
        finally:
            server.stop()
    total_admin = sum(by_route.values())
    federated = {
        r["stratum"]: r["count"]
        for r in document["rows"]
        if r["country"] == "NO" and r["stratifier"] == "route"
    }
    result = {
        "administrations": administrations,
        "pulled_records": total_admin,
        "pages": pages,
        "centralised_bytes": wire,
        "centralised_s": central_s,
        "federated_bytes": sum(federated_bytes),
        "federated_s": federated_s,
        "bytes_ratio": wire / max(1, sum(federated_bytes)),
        "time_ratio": central_s / federated_s,
        "same_counts": federated == {k: v for k, v in by_route.items() if v},
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"one node, {result['administrations']:,} administrations ({args.patients:,} patients)")
    print(
        f"centralised (FHIR search, {pages} pages of {args.page}): {wire:,} bytes, {central_s:.2f} s"
    )
    print(
        f"federated ($evaluate-measure, signed, via the hub): {result['federated_bytes']:,} bytes (whole receipt), {federated_s:.3f} s"
    )
    print(
        f"ratios: {result['bytes_ratio']:,.0f}x fewer bytes, {result['time_ratio']:,.0f}x less time; same counts: {result['same_counts']}"
    )


if __name__ == "__main__":
    main()
