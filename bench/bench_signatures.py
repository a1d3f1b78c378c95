"""Benchmark the trust layer: signatures per second and the cost a signature adds to a request.

    python bench/bench_signatures.py [--seconds 1.0] [--requests 400] [--json]

Measures, on this machine: raw Ed25519 sign/verify (the floor), ``sign_request``, the node's
``RequestVerifier.verify`` (with and without the database nonce INSERT), ``sign_response`` and
``verify_response``, an audit append; then the round trip of the same POST to an unsigned and a
signed endpoint, in process (``httpx.ASGITransport``) and on loopback (uvicorn), the signed one
paying for everything: client signing, node verification with its nonce INSERT, response
signing and the client's response verification. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI, Request
from fastapi.responses import Response

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.config import PeerConfig
from app.database import create_store_engine
from app.store import upgrade_schema
from app.trust.audit import AuditLog
from app.trust.fastapi_auth import VerifiedRequestDep
from app.trust.httpx_auth import SignedRequestAuth, verify_httpx_response
from app.trust.keys import SigningKey
from app.trust.nonces import NonceStore
from app.trust.peers import TrustStore
from app.trust.signatures import (
    RequestVerifier,
    sign_request,
    sign_response,
    verify_response,
)

FHIR_JSON = "application/fhir+json"
BODY = json.dumps(
    {
        "resourceType": "Parameters",
        "parameter": [
            {"name": "measure", "valueCanonical": "https://ketanet.org/fhir/Measure/efficacy"},
            {"name": "periodStart", "valueDate": "2024-01-01"},
            {"name": "periodEnd", "valueDate": "2024-12-31"},
            {"name": "instrument", "valueCode": "MADRS"},
            {"name": "timepoint", "valueCode": "day28"},
            {"name": "stratifier", "valueCode": "route"},
        ],
    }
).encode()
REPORT = b'{"resourceType":"MeasureReport","status":"complete","type":"summary"}' * 20
PATH = "/fhir/Measure/$evaluate-measure"


class NoReplayCheck:
    """A nonce store that remembers nothing: isolates the signature cost from the INSERT."""

    def remember(self, kid: str, nonce: str, expires_s: float) -> None:
        return None


def rate(operation: Callable[[], object], seconds: float) -> float:
    """Return operations per second of ``operation`` over about ``seconds``."""
    operation()
    count, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        for _ in range(20):
            operation()
        count += 20
    return count / elapsed


class Setup:
    """Keys, a node database, a verifier and an audit log in a temporary folder."""

    def __init__(self, folder: Path, audience: str) -> None:
        self.hub = SigningKey.from_private_key(Ed25519PrivateKey.generate())
        self.node = SigningKey.from_private_key(Ed25519PrivateKey.generate())
        self.engine = create_store_engine(f"sqlite:///{folder / 'bench.db'}")
        upgrade_schema(self.engine)
        peer = PeerConfig(name="hub", jwks=[self.hub.public_jwk()], grants=["aggregate"])
        self.trust = TrustStore.from_peer_configs([peer])
        self.audience = audience
        self.verifier = RequestVerifier(
            trust=self.trust, nonces=NonceStore(self.engine), audience=audience
        )
        self.audit = AuditLog(self.engine)
        self.node_keys = {self.node.kid: self.node.public_key}


def micro(setup: Setup, seconds: float) -> dict[str, float]:
    """Return operations per second of each trust-layer step."""
    url = setup.audience + PATH
    message = b"x" * 600
    signature = setup.hub.sign(message)
    public = setup.hub.public_key

    def signed() -> dict[str, str]:
        headers = {"content-type": FHIR_JSON}
        headers.update(
            sign_request(
                method="POST", url=url, headers=headers, body=BODY, key=setup.hub, now=time.time()
            )
        )
        return headers

    no_replay = RequestVerifier(
        trust=setup.trust,
        nonces=NoReplayCheck(),  # type: ignore[arg-type]
        audience=setup.audience,
    )
    fixed = signed()
    verified = no_replay.verify(method="POST", url=url, headers=fixed, body=BODY)
    response_headers = {"content-type": FHIR_JSON}
    response_headers.update(
        sign_response(
            status=200,
            headers=response_headers,
            body=REPORT,
            request=verified,
            key=setup.node,
            now=time.time(),
        )
    )

    def check_response() -> object:
        return verify_response(
            request_method="POST",
            request_url=url,
            request_headers=fixed,
            request_body=BODY,
            status=200,
            response_headers=response_headers,
            response_body=REPORT,
            keys=setup.node_keys,
            now=time.time(),
        )

    return {
        "ed25519 sign (raw)": rate(lambda: setup.hub.sign(message), seconds),
        "ed25519 verify (raw)": rate(lambda: public.verify(signature, message), seconds),
        "sign_request": rate(signed, seconds),
        "verify request (signature only)": rate(
            lambda: no_replay.verify(method="POST", url=url, headers=fixed, body=BODY), seconds
        ),
        "sign + verify + nonce INSERT (SQLite)": rate(
            lambda: setup.verifier.verify(method="POST", url=url, headers=signed(), body=BODY),
            seconds,
        ),
        "sign_response": rate(
            lambda: sign_response(
                status=200,
                headers={"content-type": FHIR_JSON},
                body=REPORT,
                request=verified,
                key=setup.node,
                now=time.time(),
            ),
            seconds,
        ),
        "verify_response": rate(check_response, seconds),
        "audit append (SQLite)": rate(
            lambda: setup.audit.append(actor="hub", action="bench", target="x", decision="ok"),
            seconds,
        ),
    }


def bench_app(setup: Setup) -> FastAPI:
    """Return a node-like app with the same POST unsigned and signed."""
    app = FastAPI()
    app.state.verifier = setup.verifier  # no audit middleware: only signing is measured

    @app.post("/plain" + PATH)
    async def plain(request: Request) -> Response:
        await request.body()
        return Response(REPORT, media_type=FHIR_JSON)

    @app.post(PATH)
    async def signed(verified: VerifiedRequestDep) -> Response:
        headers = {"content-type": FHIR_JSON}
        headers.update(
            sign_response(
                status=200,
                headers=headers,
                body=REPORT,
                request=verified,
                key=setup.node,
                now=time.time(),
            )
        )
        return Response(REPORT, headers=headers)

    return app


async def round_trips(client: httpx.AsyncClient, setup: Setup, count: int) -> dict[str, float]:
    """Return mean milliseconds per unsigned and per signed (and verified) round trip."""
    auth = SignedRequestAuth(setup.hub)
    headers = {"content-type": FHIR_JSON}

    async def unsigned() -> None:
        response = await client.post("/plain" + PATH, content=BODY, headers=headers)
        response.raise_for_status()

    async def signed() -> None:
        response = await client.post(PATH, content=BODY, headers=headers, auth=auth)
        response.raise_for_status()
        verify_httpx_response(response, setup.node_keys, now=time.time())

    async def timed(call: Callable[[], Awaitable[None]]) -> float:
        for _ in range(20):  # warm up connections and code paths
            await call()
        started = time.perf_counter()
        for _ in range(count):
            await call()
        return (time.perf_counter() - started) / count * 1000

    results = {"unsigned_ms": await timed(unsigned), "signed_ms": await timed(signed)}
    # Interleave a second pass so drift in machine load does not favour either side.
    results["unsigned_ms"] = min(results["unsigned_ms"], await timed(unsigned))
    results["signed_ms"] = min(results["signed_ms"], await timed(signed))
    return results


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def in_process(setup: Setup, count: int) -> dict[str, float]:
    transport = httpx.ASGITransport(app=bench_app(setup))
    async with httpx.AsyncClient(transport=transport, base_url=setup.audience) as client:
        return await round_trips(client, setup, count)


async def loopback(folder: Path, count: int) -> dict[str, float]:
    port = free_port()
    setup = Setup(folder / "loopback", f"http://127.0.0.1:{port}")
    config = uvicorn.Config(bench_app(setup), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        await asyncio.sleep(0.02)
    try:
        async with httpx.AsyncClient(base_url=setup.audience) as client:
            return await round_trips(client, setup, count)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="time per micro-benchmark")
    parser.add_argument("--requests", type=int, default=400, help="round trips per variant")
    parser.add_argument("--json", action="store_true", help="print JSON")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "loopback").mkdir()
        setup = Setup(root, "http://node.bench:8101")
        rates = micro(setup, options.seconds)
        trips = {
            "in-process (ASGI)": asyncio.run(in_process(setup, options.requests)),
            "loopback (uvicorn)": asyncio.run(loopback(root, options.requests)),
        }
    report: dict[str, Any] = {"per_second": rates, "round_trip": trips}
    if options.json:
        print(json.dumps(report, indent=2))
        return
    print(f"{'operation':<42}{'per second':>12}{'µs each':>10}")
    for name, value in rates.items():
        print(f"{name:<42}{value:>12,.0f}{1e6 / value:>10.1f}")
    raw = rates["ed25519 verify (raw)"]
    print(
        f"verify request / raw verify cost ratio: {raw / rates['verify request (signature only)']:.2f}"
    )
    print()
    print(f"{'round trip':<22}{'unsigned ms':>12}{'signed ms':>11}{'added ms':>10}{'ratio':>7}")
    for name, trip in trips.items():
        added = trip["signed_ms"] - trip["unsigned_ms"]
        ratio = trip["signed_ms"] / trip["unsigned_ms"]
        print(
            f"{name:<22}{trip['unsigned_ms']:>12.3f}{trip['signed_ms']:>11.3f}{added:>10.3f}{ratio:>7.2f}"
        )


if __name__ == "__main__":
    main()
