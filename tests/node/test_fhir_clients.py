"""Independent FHIR clients page through a search on a running node, signing every request."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import requests
from fhirclient import client as fhirclient_client
from fhirclient.models.patient import Patient as ClientPatient
from fhirpy import AsyncFHIRClient

from app.trust.keys import SigningKey
from app.trust.signatures import sign_request


class SignedRequestsAuth(requests.auth.AuthBase):
    """A requests auth hook adding our RFC 9421 signature (fhirclient uses requests)."""

    def __init__(self, key: SigningKey) -> None:
        self.key = key
        self.signed = 0

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        body = request.body if isinstance(request.body, bytes) else (request.body or "").encode()
        headers = sign_request(
            method=request.method or "GET",
            url=request.url or "",
            headers=dict(request.headers),
            body=body,
            key=self.key,
            now=time.time(),
        )
        request.headers.update(headers)
        self.signed += 1
        return request


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
    smart.server.session.auth = auth
    patients = list(
        ClientPatient.where(struct={"_count": "50"}).perform_resources_iter(smart.server)
    )
    assert len(patients) == 120
    assert all(patient.gender in {"male", "female", "other", "unknown"} for patient in patients)
    assert auth.signed == 3
