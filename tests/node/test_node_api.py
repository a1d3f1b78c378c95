"""A real node server: public endpoints, signed queries, refusals with their statuses, audit."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.measure import Measure
from fhir.resources.R4B.measurereport import MeasureReport
from fhir.resources.R4B.operationoutcome import OperationOutcome

from app.database import create_store_engine
from app.trust.audit import AuditLog
from app.trust.httpx_auth import SignedRequestAuth
from app.trust.keys import load_signing_key
from tests.node.conftest import parameters

FHIR = "application/fhir+json"


def post(
    node: dict[str, Any], body: bytes, key_name: str = "hub_key", url: str | None = None
) -> httpx.Response:
    auth = SignedRequestAuth(node[key_name]) if key_name else None
    target = url or f"{node['url']}/fhir/Measure/$evaluate-measure"
    return httpx.post(target, content=body, headers={"content-type": FHIR}, auth=auth, timeout=30)


def assert_outcome(response: httpx.Response, status: int, text: str) -> None:
    assert response.status_code == status, response.text
    outcome = response.json()
    OperationOutcome.model_validate(outcome)
    assert text in json.dumps(outcome)


def test_public_endpoints_validate(node: dict[str, Any]) -> None:
    url = node["url"]
    CapabilityStatement.model_validate(httpx.get(f"{url}/fhir/metadata").json())
    bundle = httpx.get(f"{url}/fhir/Measure").json()
    ids = {entry["resource"]["id"] for entry in bundle["entry"]}
    assert ids == {
        "treated-patients",
        "administrations",
        "adverse-events",
        "efficacy",
        "discontinuations",
        "guideline-adherence",
        "cross-border-overlap",
        "safety-signals",
        "review-intervals",
        "patient-experience",
        "informed-consent",
    }
    for entry in bundle["entry"]:
        Measure.model_validate(entry["resource"])
    health = httpx.get(f"{url}/health").json()
    assert health["status"] == "ok" and health["data_as_of"]
    jwks = httpx.get(f"{url}/.well-known/jwks.json").json()
    assert [key["kid"] for key in jwks["keys"]] == [
        load_signing_key(node["settings"].node.signing_key).kid
    ]
    assert httpx.get(f"{url}/fhir/Measure/nope").status_code == 404


def test_signed_query_answered_with_valid_report(node: dict[str, Any]) -> None:
    response = post(node, json.dumps(parameters(stratify=["route"])).encode())
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(FHIR)
    assert "ketanet-response" in response.headers["signature-input"]
    report = response.json()
    MeasureReport.model_validate(report)
    assert report["type"] == "summary"


@pytest.mark.parametrize(
    ("body", "status", "text"),
    [
        (parameters("nope"), 400, "measure"),
        (parameters(stratify=["colour"]), 400, "colour"),
        (parameters(filters=["drug=aspirin"]), 400, "drug"),
        (parameters(start="2025-01-01", end="2024-01-01"), 400, "period"),
        ({"resourceType": "Patient"}, 400, "Parameters"),
    ],
)
def test_bad_queries_refused_with_400(
    node: dict[str, Any], body: dict[str, Any], status: int, text: str
) -> None:
    assert_outcome(post(node, json.dumps(body).encode()), status, text)


def test_malformed_json_refused(node: dict[str, Any]) -> None:
    assert_outcome(post(node, b"{not json"), 400, "JSON")


def test_unknown_path_and_wrong_method_refused_as_fhir_outcomes(node: dict[str, Any]) -> None:
    missing = httpx.get(f"{node['url']}/nowhere")
    assert_outcome(missing, 404, "no such endpoint")
    wrong = httpx.delete(f"{node['url']}/fhir/metadata")
    assert_outcome(wrong, 405, "Method Not Allowed")
    assert wrong.headers["allow"] == "GET"
    assert missing.headers["content-type"] == wrong.headers["content-type"] == FHIR


def test_signed_query_audited_exactly_once(node: dict[str, Any]) -> None:
    engine = create_store_engine(node["settings"].node.database_url)
    before = len(AuditLog(engine).entries())
    assert post(node, json.dumps(parameters()).encode()).status_code == 200
    refused = post(node, json.dumps(parameters()).encode(), key_name="reader_key")
    assert refused.status_code == 403
    added = [(e.action, e.decision) for e in AuditLog(engine).entries()[before:]]
    assert added == [("evaluate-measure", "answered"), ("evaluate-measure", "refused")]
    engine.dispose()


def test_oversized_body_refused_with_413(node: dict[str, Any]) -> None:
    body = json.dumps(parameters() | {"padding": "x" * 1_100_000}).encode()
    assert post(node, body).status_code == 413


def test_unsigned_and_unknown_key_refused_with_401(node: dict[str, Any]) -> None:
    body = json.dumps(parameters()).encode()
    assert_outcome(post(node, body, key_name=""), 401, "signature")
    assert post(node, body, key_name="stranger_key").status_code == 401


def test_peer_without_aggregate_grant_refused_with_403(node: dict[str, Any]) -> None:
    assert_outcome(
        post(node, json.dumps(parameters()).encode(), key_name="reader_key"), 403, "aggregate"
    )


def test_replayed_request_refused_with_409(node: dict[str, Any]) -> None:
    body = json.dumps(parameters()).encode()
    request = httpx.Request(
        "POST",
        f"{node['url']}/fhir/Measure/$evaluate-measure",
        content=body,
        headers={"content-type": FHIR},
    )
    signed = next(SignedRequestAuth(node["hub_key"]).auth_flow(request))
    with httpx.Client(timeout=30) as client:
        assert client.send(signed).status_code == 200
        assert client.send(signed).status_code == 409


def test_record_search_needs_record_grant_and_pages(node: dict[str, Any]) -> None:
    url = f"{node['url']}/fhir/Patient?_count=50"
    assert httpx.get(url, auth=SignedRequestAuth(node["hub_key"])).status_code == 403
    seen: list[str] = []
    next_url: str | None = url
    while next_url:
        page = httpx.get(next_url, auth=SignedRequestAuth(node["reader_key"]), timeout=30)
        assert page.status_code == 200, page.text
        bundle = page.json()
        seen += [entry["resource"]["id"] for entry in bundle.get("entry", [])]
        next_url = next(
            (link["url"] for link in bundle["link"] if link["relation"] == "next"), None
        )
    assert len(seen) == len(set(seen)) == bundle["total"] == 120
    count = httpx.get(
        f"{node['url']}/fhir/Patient?_summary=count", auth=SignedRequestAuth(node["reader_key"])
    ).json()
    assert count["total"] == 120


def test_every_request_is_in_the_audit_log(node: dict[str, Any]) -> None:
    engine = create_store_engine(node["settings"].node.database_url)
    entries = AuditLog(engine).entries()
    decisions = {(entry.action, entry.decision) for entry in entries}
    assert ("evaluate-measure", "answered") in decisions
    assert ("evaluate-measure", "refused") in decisions
    assert ("authenticate", "refused") in decisions  # unsigned and unknown-key requests
    public = [e for e in entries if e.action == "GET /fhir/metadata"]
    assert public and public[0].actor == "anonymous" and public[0].decision == "answered"
    assert any(
        e.action == "POST /fhir/Measure/$evaluate-measure" and e.reason == "HTTP 413"
        for e in entries
    )
    assert AuditLog(engine).verify().ok
    engine.dispose()
