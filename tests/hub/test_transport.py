"""The hub's node client (aiohttp) against a real server: signatures, retries, the cap, keep-alive."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field

import aiohttp
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import Response, StreamingResponse

from app.cli.servers import ServerThread, free_port
from app.config import NodeEntry
from app.database import create_store_engine
from app.hub.fanout import PushTask, fan_out
from app.hub.replies import NodeReply
from app.hub.transport import MAX_ATTEMPTS, node_session, post_signed
from app.store import upgrade_schema
from app.trust.keys import SigningKey
from app.trust.nonces import NonceStore
from app.trust.signatures import RequestVerifier
from tests.trust.support import FakeClock, new_key, trust_store_for

BODY = b'{"resourceType":"Parameters","parameter":[]}'
CAP_BYTES = 1_000


@dataclass
class Node:
    """A test node on 127.0.0.1 verifying the hub's signatures; what it saw, request by request."""

    url: str
    key: SigningKey
    clock: FakeClock
    nonces: list[str] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    client_ports: list[int] = field(default_factory=list)
    failures_left: int = 0


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    engine = create_store_engine(f"sqlite:///{tmp_path_factory.mktemp('node') / 'node.db'}")
    upgrade_schema(engine)
    port = free_port()
    state = Node(f"http://127.0.0.1:{port}", new_key(), FakeClock())
    verifier = RequestVerifier(
        trust=trust_store_for(state.key),
        nonces=NonceStore(engine),
        audience=state.url,
        clock=state.clock,
    )
    app = FastAPI()

    @app.post("/fhir/{operation}")
    async def answer(operation: str, request: Request) -> Response:
        query = request.scope["query_string"].decode("ascii")
        target = (
            state.url + request.scope["raw_path"].decode("ascii") + (f"?{query}" if query else "")
        )
        verified = verifier.verify(
            method="POST", url=target, headers=request.headers, body=await request.body()
        )
        assert request.client is not None
        state.nonces.append(verified.nonce)
        state.targets.append(target)
        state.client_ports.append(request.client.port)
        if operation == "flaky" and state.failures_left:
            state.failures_left -= 1
            return Response(b"", status_code=503)
        if operation == "slow":
            await asyncio.sleep(2)
        if operation == "refuse":
            return Response(b'{"resourceType":"OperationOutcome"}', status_code=400)
        if operation == "big-stream":  # no Content-Length: chunked
            chunks = (b"x" * 10_000 for _ in range(500))
            return StreamingResponse(chunks, media_type="application/fhir+json")
        if operation == "big":
            return Response(b"x" * 5_000_000, media_type="application/fhir+json")
        return Response(b'{"ok":true}', media_type="application/fhir+json")

    server = ServerThread(app, port, name="transport-node").start()
    yield state
    server.stop()
    engine.dispose()


def _post(node: Node, path: str, *, max_bytes: int | None = None, posts: int = 1) -> list:
    async def run() -> list:
        async with node_session(timeout_s=10, nodes=1) as session:
            return [
                await post_signed(
                    session, f"{node.url}{path}", BODY, key=node.key, clock=node.clock,
                    max_bytes=max_bytes,
                )
                for _ in range(posts)
            ]  # fmt: skip

    node.nonces.clear()
    node.targets.clear()
    node.client_ports.clear()
    return asyncio.run(run())


def test_a_signed_post_is_accepted_with_its_target_uri_as_sent(node: Node) -> None:
    (response,) = _post(node, "/fhir/answer?task=t1&code=a|b")
    assert response.status == 200 and response.body == b'{"ok":true}'
    # the `|` is sent encoded, and the URI the node received is the one signed and kept
    assert node.targets == [f"{node.url}/fhir/answer?task=t1&code=a%7Cb"]
    assert response.request.url == node.targets[0]
    assert response.request.body == BODY
    assert "content-digest" in {name.lower() for name in response.request.headers}


def test_503_is_retried_with_a_fresh_signature_each_attempt(node: Node) -> None:
    node.failures_left = MAX_ATTEMPTS - 1
    (response,) = _post(node, "/fhir/flaky")
    assert response.status == 200
    assert len(node.nonces) == MAX_ATTEMPTS and len(set(node.nonces)) == MAX_ATTEMPTS
    assert node.nonces[-1] in response.request.headers["Signature-Input"]


def test_503_on_every_attempt_is_returned_after_the_last(node: Node) -> None:
    node.failures_left = MAX_ATTEMPTS
    (response,) = _post(node, "/fhir/flaky")
    assert response.status == 503 and len(node.nonces) == MAX_ATTEMPTS
    node.failures_left = 0


def test_a_4xx_is_never_retried(node: Node) -> None:
    (response,) = _post(node, "/fhir/refuse")
    assert response.status == 400 and len(node.nonces) == 1


@pytest.mark.parametrize("path", ["/fhir/big", "/fhir/big-stream"])
def test_an_answer_over_the_cap_is_cut_one_byte_past_it(node: Node, path: str) -> None:
    (response,) = _post(node, path, max_bytes=CAP_BYTES)
    assert len(response.body) == CAP_BYTES + 1
    (whole,) = _post(node, path)
    assert len(whole.body) == 5_000_000


def test_connections_are_kept_alive_across_requests(node: Node) -> None:
    _post(node, "/fhir/answer", posts=3)
    assert len(node.client_ports) == 3 and len(set(node.client_ports)) == 1


def test_a_node_nobody_listens_on_raises_a_connection_error_after_the_retries() -> None:
    async def run() -> None:
        async with node_session(timeout_s=5, nodes=1) as session:
            await post_signed(
                session, f"http://127.0.0.1:{free_port()}/fhir/x", BODY, key=new_key()
            )

    with pytest.raises(aiohttp.ClientConnectorError):
        asyncio.run(run())


@pytest.mark.parametrize("proxy", [None, "http://127.0.0.1:9"])
def test_the_environment_is_trusted_only_when_it_names_a_proxy(
    proxy: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "http_proxy",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)
    if proxy is not None:
        monkeypatch.setenv("HTTPS_PROXY", proxy)

    async def run() -> bool:
        async with node_session(timeout_s=1, nodes=1) as session:
            return session.trust_env

    assert asyncio.run(run()) is (proxy is not None)


def test_a_fan_out_times_out_the_late_node_only_and_reports_every_node(node: Node) -> None:
    entry = NodeEntry(id="xa", country="XA", url=node.url, jwks=[new_key().public_jwk()])
    tasks = [
        PushTask(entry, f"{node.url}/fhir/slow", BODY),
        PushTask(
            entry.model_copy(update={"id": "xb", "country": "XB"}), f"{node.url}/fhir/x", BODY
        ),
    ]
    seen: list[NodeReply] = []

    async def run() -> list[NodeReply]:
        async with node_session(timeout_s=10, nodes=2) as session:
            return await fan_out(
                session, tasks, key=node.key, timeout_s=0.5, clock=node.clock, on_reply=seen.append
            )

    replies = asyncio.run(run())
    # the quick node's unsigned answer is read (bad-signature); the slow one is cut at 0.5 s
    assert [(r.node_id, r.status) for r in replies] == [("xa", "timeout"), ("xb", "bad-signature")]
    assert replies[0].detail == "no answer within 0.5 s"
    assert sorted(r.node_id for r in seen) == ["xa", "xb"]


def test_a_socket_time_out_names_its_seconds_as_the_fan_out_deadline_does(node: Node) -> None:
    entry = NodeEntry(id="xa", country="XA", url=node.url, jwks=[new_key().public_jwk()])

    async def run() -> list[NodeReply]:
        # the session's read time-out (0.4 s) strikes before the fan-out's deadline (10 s)
        async with node_session(timeout_s=0.4, nodes=1) as session:
            return await fan_out(
                session,
                [PushTask(entry, f"{node.url}/fhir/slow", BODY)],
                key=node.key,
                timeout_s=10,
                clock=node.clock,
            )

    (reply,) = asyncio.run(run())
    # cut by the socket timer: the node's answer after 2 s would read bad-signature, not timeout
    assert (reply.status, reply.detail) == ("timeout", "no answer within 0.4 s")
