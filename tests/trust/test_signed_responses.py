"""Signed responses bound to their request, and receipts re-verified later from storage alone."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

import pytest

from app.errors import SignatureError
from app.trust.keys import SigningKey
from app.trust.signatures import (
    Receipt,
    RequestVerifier,
    VerifiedRequest,
    sign_request,
    sign_response,
    verify_response,
)

from .support import EVALUATE_URL, FHIR_JSON, QUERY_BODY, FakeClock, new_key

REPORT = b'{"resourceType":"MeasureReport","status":"complete"}'


@dataclass(frozen=True)
class Exchange:
    request_headers: dict[str, str]
    verified: VerifiedRequest
    response_headers: dict[str, str]


def exchange(
    verifier: RequestVerifier, hub_key: SigningKey, node_key: SigningKey, now: float
) -> Exchange:
    request_headers = {"content-type": FHIR_JSON}
    request_headers.update(
        sign_request(
            method="POST",
            url=EVALUATE_URL,
            headers=request_headers,
            body=QUERY_BODY,
            key=hub_key,
            now=now,
        )
    )
    verified = verifier.verify(
        method="POST", url=EVALUATE_URL, headers=request_headers, body=QUERY_BODY
    )
    response_headers = {"content-type": FHIR_JSON}
    response_headers.update(
        sign_response(
            status=200,
            headers=response_headers,
            body=REPORT,
            request=verified,
            key=node_key,
            now=now,
        )
    )
    return Exchange(request_headers, verified, response_headers)


def check(
    ex: Exchange,
    keys: dict[str, Any],
    now: float | None,
    **changes: Any,
) -> Receipt:
    arguments: dict[str, Any] = {
        "request_method": "POST",
        "request_url": EVALUATE_URL,
        "request_headers": ex.request_headers,
        "request_body": QUERY_BODY,
        "status": 200,
        "response_headers": ex.response_headers,
        "response_body": REPORT,
        "keys": keys,
        "now": now,
    }
    return verify_response(**{**arguments, **changes})


def test_verify_response_accepts_and_binds_request(
    verifier: RequestVerifier, hub_key: SigningKey, node_key: SigningKey, clock: FakeClock
) -> None:
    ex = exchange(verifier, hub_key, node_key, clock())
    receipt = check(ex, {node_key.kid: node_key.public_key}, clock())
    assert (receipt.kid, receipt.response_status) == (node_key.kid, 200)
    signature_input = ex.response_headers["Signature-Input"]
    assert 'tag="ketanet-response"' in signature_input
    assert '"signature-input";req;key="ketanet"' in signature_input
    assert '"@method";req "@target-uri";req "content-digest";req' in signature_input


def test_receipt_reverified_from_json_after_expiry(
    verifier: RequestVerifier, hub_key: SigningKey, node_key: SigningKey, clock: FakeClock
) -> None:
    ex = exchange(verifier, hub_key, node_key, clock())
    keys = {node_key.kid: node_key.public_key}
    stored = json.dumps(check(ex, keys, clock()).to_json())
    clock.advance(365 * 86400)
    receipt = Receipt.from_json(json.loads(stored))
    receipt.verify(keys)  # re-verification ignores expiry
    with pytest.raises(SignatureError, match="expired"):
        receipt.verify(keys, now=clock())


@pytest.mark.parametrize(
    ("section", "field", "value", "rule"),
    [
        ("response", "body_base64", "eyJ0YW1wZXJlZCI6IHRydWV9", "content-digest does not match"),
        ("response", "status", 203, "signature does not verify"),
        ("request", "url", EVALUATE_URL + "?x=1", "signature does not verify"),
        ("request", "body_digest", "sha-256=:" + "A" * 43 + "=:", "request body digest"),
        ("signature", "kid", "someone-else", "metadata differs"),
    ],
)
def test_receipt_refuses_tampered_stored_document(
    verifier: RequestVerifier,
    hub_key: SigningKey,
    node_key: SigningKey,
    clock: FakeClock,
    section: str,
    field: str,
    value: Any,
    rule: str,
) -> None:
    keys = {node_key.kid: node_key.public_key}
    document = check(exchange(verifier, hub_key, node_key, clock()), keys, clock()).to_json()
    document[section][field] = value
    with pytest.raises(SignatureError, match=rule):
        Receipt.from_json(document).verify(keys)


def test_receipt_from_json_refuses_malformed_document() -> None:
    with pytest.raises(SignatureError, match="malformed receipt"):
        Receipt.from_json({"request": {}})


def test_verify_response_refuses_tampered_body(
    verifier: RequestVerifier, hub_key: SigningKey, node_key: SigningKey, clock: FakeClock
) -> None:
    ex = exchange(verifier, hub_key, node_key, clock())
    with pytest.raises(SignatureError, match="content-digest does not match"):
        check(ex, {node_key.kid: node_key.public_key}, clock(), response_body=b"{}")


def test_verify_response_refuses_answer_to_another_request(
    verifier: RequestVerifier, hub_key: SigningKey, node_key: SigningKey, clock: FakeClock
) -> None:
    first = exchange(verifier, hub_key, node_key, clock())
    second = exchange(verifier, hub_key, node_key, clock())
    # The first answer presented as the answer to the second request (another nonce).
    mixed = replace(first, request_headers=second.request_headers)
    with pytest.raises(SignatureError, match="signature does not verify"):
        check(mixed, {node_key.kid: node_key.public_key}, clock())


def test_verify_response_refuses_key_not_pinned(
    verifier: RequestVerifier, hub_key: SigningKey, node_key: SigningKey, clock: FakeClock
) -> None:
    ex = exchange(verifier, hub_key, node_key, clock())
    with pytest.raises(SignatureError, match="not pinned"):
        check(ex, {new_key().kid: new_key().public_key}, clock())


def test_verify_response_refuses_expired_response(
    verifier: RequestVerifier, hub_key: SigningKey, node_key: SigningKey, clock: FakeClock
) -> None:
    ex = exchange(verifier, hub_key, node_key, clock())
    with pytest.raises(SignatureError, match="expired"):
        check(ex, {node_key.kid: node_key.public_key}, clock() + 301)


def test_verify_response_refuses_unsigned_response(
    verifier: RequestVerifier, hub_key: SigningKey, node_key: SigningKey, clock: FakeClock
) -> None:
    ex = exchange(verifier, hub_key, node_key, clock())
    with pytest.raises(SignatureError, match="missing signature"):
        check(ex, {node_key.kid: node_key.public_key}, clock(), response_headers={})


@dataclass(frozen=True)
class PlainRequest:
    method: str
    url: str
    headers: dict[str, str]


def test_sign_response_accepts_plain_request_object(
    verifier: RequestVerifier, hub_key: SigningKey, node_key: SigningKey, clock: FakeClock
) -> None:
    ex = exchange(verifier, hub_key, node_key, clock())
    headers = {"content-type": FHIR_JSON}
    headers.update(
        sign_response(
            status=200,
            headers=headers,
            body=REPORT,
            request=PlainRequest("POST", EVALUATE_URL, ex.request_headers),
            key=node_key,
            now=clock(),
        )
    )
    receipt = check(
        replace(ex, response_headers=headers), {node_key.kid: node_key.public_key}, clock()
    )
    assert receipt.kid == node_key.kid
