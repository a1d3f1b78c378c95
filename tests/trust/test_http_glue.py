"""The httpx auth and the FastAPI dependency together, in process (``httpx.ASGITransport``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import Engine

from app.errors import KetanetError
from app.trust.audit import AuditLog
from app.trust.fastapi_auth import VerifiedRequestDep, require_grant
from app.trust.httpx_auth import SignedRequestAuth, verify_httpx_response
from app.trust.keys import SigningKey
from app.trust.signatures import RequestVerifier, sign_response
from app.web import AuditEveryRequest

from .support import AUDIENCE, EVALUATE_URL, FHIR_JSON, QUERY_BODY, FakeClock

REPORT = b'{"resourceType":"MeasureReport"}'


def node_app(
    verifier: RequestVerifier, audit: AuditLog, node_key: SigningKey, clock: FakeClock
) -> FastAPI:
    app = FastAPI()
    app.add_middleware(AuditEveryRequest, append=audit.append, actor_of=lambda _: "anonymous")
    app.state.verifier = verifier

    @app.exception_handler(KetanetError)
    async def outcome(_request: Request, error: KetanetError) -> Response:
        return JSONResponse(error.operation_outcome(), status_code=error.http_status)

    @app.post("/fhir/Measure/$evaluate-measure")
    async def evaluate(verified: VerifiedRequestDep) -> Response:
        require_grant(verified, "aggregate")
        headers = {"content-type": FHIR_JSON}
        headers.update(
            sign_response(
                status=200,
                headers=headers,
                body=REPORT,
                request=verified,
                key=node_key,
                now=clock(),
            )
        )
        return Response(REPORT, headers=headers)

    @app.get("/fhir/Patient/{patient_id}")
    async def read(patient_id: str, verified: VerifiedRequestDep) -> Response:
        require_grant(verified, "record")
        return Response(b"{}", media_type=FHIR_JSON)

    return app


@pytest.fixture
def audit(sqlite_engine: Engine, clock: FakeClock) -> AuditLog:
    return AuditLog(sqlite_engine, clock=clock)


@pytest.fixture
async def client(
    verifier: RequestVerifier, audit: AuditLog, node_key: SigningKey, clock: FakeClock
) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=node_app(verifier, audit, node_key, clock))
    async with httpx.AsyncClient(transport=transport, base_url=AUDIENCE) as client:
        yield client


async def test_async_signed_request_answered_with_verifiable_receipt(
    client: httpx.AsyncClient, hub_key: SigningKey, node_key: SigningKey, clock: FakeClock
) -> None:
    response = await client.post(
        EVALUATE_URL,
        content=QUERY_BODY,
        headers={"content-type": FHIR_JSON},
        auth=SignedRequestAuth(hub_key, clock=clock),
    )
    assert response.status_code == 200, response.text
    receipt = verify_httpx_response(response, {node_key.kid: node_key.public_key}, now=clock())
    assert receipt.response_body == REPORT


async def test_unsigned_request_refused_401_and_audited(
    client: httpx.AsyncClient, audit: AuditLog
) -> None:
    response = await client.post(
        EVALUATE_URL, content=QUERY_BODY, headers={"content-type": FHIR_JSON}
    )
    assert response.status_code == 401
    issue = response.json()["issue"][0]
    assert issue["code"] == "security"
    assert "missing signature" in issue["diagnostics"]
    entry = audit.entries()[-1]
    assert (entry.actor, entry.decision) == ("unauthenticated", "refused")
    assert entry.reason is not None and entry.reason.startswith("401: missing signature")
    assert entry.request_digest is not None and entry.request_digest.startswith("sha-256=")


async def test_replayed_request_refused_409_and_audited_with_claimed_key(
    client: httpx.AsyncClient, hub_key: SigningKey, clock: FakeClock, audit: AuditLog
) -> None:
    request = client.build_request(
        "POST", EVALUATE_URL, content=QUERY_BODY, headers={"content-type": FHIR_JSON}
    )
    flow = SignedRequestAuth(hub_key, clock=clock).auth_flow(request)
    signed = next(flow)
    assert (await client.send(signed)).status_code == 200
    again = await client.send(signed)
    assert again.status_code == 409
    assert again.json()["issue"][0]["diagnostics"] == "replayed nonce"
    entry = audit.entries()[-1]
    # whoever replays a captured request is not its signer: the key id is claimed, not proven
    assert (entry.actor, entry.reason) == (f"unverified:{hub_key.kid}", "409: replayed nonce")


async def test_request_without_grant_refused_403(
    client: httpx.AsyncClient, hub_key: SigningKey, clock: FakeClock
) -> None:
    response = await client.get("/fhir/Patient/p%201", auth=SignedRequestAuth(hub_key, clock=clock))
    # The signature held (percent-encoded path as sent); the missing record grant did not.
    assert response.status_code == 403
    assert "lacks the 'record' grant" in response.json()["issue"][0]["diagnostics"]


async def test_request_for_other_audience_refused_401(
    verifier: RequestVerifier,
    audit: AuditLog,
    node_key: SigningKey,
    hub_key: SigningKey,
    clock: FakeClock,
) -> None:
    transport = httpx.ASGITransport(app=node_app(verifier, audit, node_key, clock))
    async with httpx.AsyncClient(transport=transport, base_url="http://other.test:8102") as other:
        response = await other.post(
            "/fhir/Measure/$evaluate-measure",
            content=QUERY_BODY,
            headers={"content-type": FHIR_JSON},
            auth=SignedRequestAuth(hub_key, clock=clock),
        )
    assert response.status_code == 401
    assert "wrong audience" in response.json()["issue"][0]["diagnostics"]


def test_sync_client_signs_each_attempt_with_fresh_nonce(
    verifier: RequestVerifier, hub_key: SigningKey, clock: FakeClock
) -> None:
    nonces: list[str] = []

    def node(request: httpx.Request) -> httpx.Response:
        verified = verifier.verify(
            method=request.method,
            url=str(request.url),
            headers=request.headers,
            body=request.content,
        )
        nonces.append(verified.nonce)
        return httpx.Response(204)

    with httpx.Client(
        transport=httpx.MockTransport(node), auth=SignedRequestAuth(hub_key, clock=clock)
    ) as sync:
        for _ in range(2):
            response = sync.post(
                EVALUATE_URL, content=QUERY_BODY, headers={"content-type": FHIR_JSON}
            )
            assert response.status_code == 204
    assert len(set(nonces)) == 2
