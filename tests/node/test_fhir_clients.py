"""Independent FHIR clients page through and count searches on a running node, signing every
request with the package's documented signers (docs/clients.md); results equal the node's SQL."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest
from fhirclient import client as fhirclient_client
from fhirclient.models.observation import Observation as ClientObservation
from fhirclient.models.patient import Patient as ClientPatient
from fhirpy import AsyncFHIRClient
from sqlalchemy import text

from app.database import create_store_engine
from app.trust.aiohttp_auth import signing_middleware
from app.trust.httpx_auth import SignedRequestAuth
from app.trust.requests_auth import SignedRequestsAuth
from app.trust.signatures import sign_request


def _sql(node: dict[str, Any], query: str) -> int:
    """Return one number computed on the node's own database (the centralised truth)."""
    engine = create_store_engine(node["settings"].node.database_url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text(query)).scalar_one())
    finally:
        engine.dispose()


def test_fhirpy_pages_through_patients_with_signed_requests(node: dict[str, Any]) -> None:
    signed: list[str] = []

    async def sign(request: Any, handler: Any) -> Any:
        headers = sign_request(
            method=request.method,
            url=str(request.url),
            headers=dict(request.headers),
            body=b"",
            key=node["reader_key"],
            now=time.time(),
        )
        request.headers.update(headers)
        signed.append(str(request.url))
        return await handler(request)

    async def fetch() -> list[Any]:
        fhir = AsyncFHIRClient(f"{node['url']}/fhir", aiohttp_config={"middlewares": (sign,)})
        return await fhir.resources("Patient").limit(40).fetch_all()

    patients = asyncio.run(fetch())
    assert len(patients) == 120
    assert len({patient["id"] for patient in patients}) == 120
    assert len(signed) == 3  # 40 per page, every page signed


def test_fhirclient_pages_through_patients_with_signed_requests(node: dict[str, Any]) -> None:
    smart = fhirclient_client.FHIRClient(
        settings={"app_id": "ketanet-test", "api_base": f"{node['url']}/fhir/"}
    )
    auth = SignedRequestsAuth(node["reader_key"])
    smart.server.session.auth = auth  # the package's documented signer (docs/clients.md)
    patients = list(
        ClientPatient.where(struct={"_count": "50"}).perform_resources_iter(smart.server)
    )
    assert len(patients) == 120
    assert all(patient.gender in {"male", "female", "other", "unknown"} for patient in patients)
    assert auth.signed == 3


def test_fhirpy_count_and_searches_by_gender_birthdate_and_standard_codes(
    node: dict[str, Any],
) -> None:
    async def counts() -> list[int]:
        fhir = AsyncFHIRClient(
            f"{node['url']}/fhir",
            aiohttp_config={"middlewares": (signing_middleware(node["reader_key"]),)},
        )
        return [
            await fhir.resources("Patient").count(),
            await fhir.resources("Patient").search(gender="female").count(),
            await fhir.resources("Patient").search(birthdate="ge1980").count(),
            await fhir.resources("Observation").search(code="http://loinc.org|44261-6").count(),
            await fhir.resources("AdverseEvent")
            .search(event="http://snomed.info/sct|422587007")
            .count(),
        ]

    assert asyncio.run(counts()) == [
        _sql(node, "SELECT count(*) FROM patient"),
        _sql(node, "SELECT count(*) FROM patient WHERE sex = 'female'"),
        _sql(node, "SELECT count(*) FROM patient WHERE birth_year >= 1980"),
        _sql(node, "SELECT count(*) FROM observation WHERE code = 'PHQ9'"),
        _sql(node, "SELECT count(*) FROM adverse_event WHERE event = 'nausea'"),
    ]
    assert _sql(node, "SELECT count(*) FROM observation WHERE code = 'PHQ9'") > 0


def test_fhirclient_searches_by_gender_and_a_loinc_code(node: dict[str, Any]) -> None:
    smart = fhirclient_client.FHIRClient(
        settings={"app_id": "ketanet-test", "api_base": f"{node['url']}/fhir/"}
    )
    smart.server.session.auth = SignedRequestsAuth(node["reader_key"])
    women = list(
        ClientPatient.where(struct={"gender": "female", "_count": "200"}).perform_resources_iter(
            smart.server
        )
    )
    assert len(women) == _sql(node, "SELECT count(*) FROM patient WHERE sex = 'female'")
    assert {patient.gender for patient in women} == {"female"}
    phq9 = ClientObservation.where(
        struct={"code": "http://loinc.org|44261-6", "_summary": "count"}
    ).perform(smart.server)
    assert phq9.total == _sql(node, "SELECT count(*) FROM observation WHERE code = 'PHQ9'")


def test_httpx_signer_and_located_refusals(node: dict[str, Any]) -> None:
    with httpx.Client(
        base_url=f"{node['url']}/fhir", auth=SignedRequestAuth(node["reader_key"])
    ) as client:
        born = client.get(
            "/Patient", params={"birthdate": "1980", "_total": "accurate", "_count": 0}
        )
        assert born.status_code == 200
        assert born.json()["total"] == _sql(
            node, "SELECT count(*) FROM patient WHERE birth_year = 1980"
        )
        day = client.get("/Patient", params={"birthdate": "1980-05-01"})
        assert day.status_code == 400 and "birth years only" in day.text
        assert day.json()["resourceType"] == "OperationOutcome"
        unknown = client.get("/Patient", params={"name": "x"})
        assert unknown.status_code == 400 and "gender" in unknown.text  # names what works
        every = client.get("/Observation", params={"code": "http://loinc.org|", "_count": 0})
        loinc = _sql(
            node, "SELECT count(*) FROM observation WHERE code IN ('PHQ9','SBP','DBP','HR','ALT')"
        )
        assert every.json()["total"] == loinc


@pytest.mark.parametrize("kind", ["Patient", "Observation", "AdverseEvent"])
def test_capability_statement_lists_the_search_parameters_that_work(
    node: dict[str, Any], kind: str
) -> None:
    statement = httpx.get(f"{node['url']}/fhir/metadata").json()
    [resource] = [r for r in statement["rest"][0]["resource"] if r["type"] == kind]
    listed = {param["name"] for param in resource["searchParam"]}
    with httpx.Client(
        base_url=f"{node['url']}/fhir", auth=SignedRequestAuth(node["reader_key"])
    ) as client:
        for name in listed:
            value = {
                "patient": "Patient/none", "date": "ge2024", "code": "x", "event": "x",
                "gender": "female", "birthdate": "1970", "_count": "0", "_offset": "0",
                "_summary": "count", "_total": "accurate",
            }[name]  # fmt: skip
            assert client.get(f"/{kind}", params={name: value}).status_code == 200, name
        assert client.get(f"/{kind}", params={"_has": "x"}).status_code == 400
