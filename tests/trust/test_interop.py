"""Interoperability with the independent ``http-message-signatures`` package, both directions."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
from http_message_signatures import (
    HTTPMessageSigner,
    HTTPMessageVerifier,
    MappingKeyResolver,
    algorithms,
)

from app.trust.httpx_auth import SignedRequestAuth
from app.trust.keys import SigningKey
from app.trust.signatures import RequestVerifier

from .support import EVALUATE_URL, FHIR_JSON, QUERY_BODY, FakeClock


@dataclass
class PlainRequest:
    """The package's request interface, built here without any KetaNet code."""

    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)


def test_request_signed_by_package_accepted_by_verifier(
    verifier: RequestVerifier, hub_key: SigningKey, clock: FakeClock
) -> None:
    request = PlainRequest("POST", EVALUATE_URL, {"Content-Type": FHIR_JSON})
    created = datetime.fromtimestamp(clock(), tz=UTC)
    signer = HTTPMessageSigner(
        signature_algorithm=algorithms.ED25519,
        key_resolver=MappingKeyResolver(
            public_keys={}, private_keys={hub_key.kid: hub_key.private_key}
        ),
    )
    signer.sign(
        request,
        key_id=hub_key.kid,
        created=created,
        expires=created + timedelta(seconds=300),
        nonce=secrets.token_urlsafe(16),
        label="pyhms",
        tag="ketanet-request",
        covered_component_ids=("@method", "@target-uri", "content-type", "content-digest"),
        body=QUERY_BODY,
    )
    verified = verifier.verify(
        method="POST", url=EVALUATE_URL, headers=request.headers, body=QUERY_BODY
    )
    assert (verified.peer.name, verified.label, verified.kid) == ("hub", "pyhms", hub_key.kid)


def test_signed_request_auth_verified_by_package(hub_key: SigningKey) -> None:
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(204)

    # The package checks time against the wall clock, so this request is signed with it too.
    with httpx.Client(transport=httpx.MockTransport(answer)) as client:
        client.post(
            EVALUATE_URL,
            content=QUERY_BODY,
            headers={"content-type": FHIR_JSON},
            auth=SignedRequestAuth(hub_key, clock=time.time),
        )
    request = sent[0]
    verifier = HTTPMessageVerifier(
        signature_algorithm=algorithms.ED25519,
        key_resolver=MappingKeyResolver(
            public_keys={hub_key.kid: hub_key.public_key}, private_keys={}
        ),
    )
    results = verifier.verify(
        PlainRequest(request.method, str(request.url), dict(request.headers)),
        expect_tag="ketanet-request",
        require_components=("@method", "@target-uri", "content-type", "content-digest"),
        body=request.content,
    )
    assert len(results) == 1
    assert results[0].parameters["keyid"] == hub_key.kid
    assert results[0].body == QUERY_BODY
    assert results[0].nonce is not None and len(results[0].nonce) >= 22
