"""Record-level search parameters: tokens with standard systems, partial dates, refusals."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from app.errors import InputError
from app.node.search_params import date_range, token_codes
from app.trust.httpx_auth import SignedRequestAuth


@pytest.mark.parametrize(
    ("system_name", "token", "codes"),
    [
        ("observation", "PHQ9", ["PHQ9"]),
        ("observation", "http://loinc.org|44261-6", ["PHQ9"]),
        ("observation", "https://ketanet.org/fhir/CodeSystem/observation|MADRS", ["MADRS"]),
        ("drug", "http://www.whocc.no/atc|N06AX27", ["esketamine"]),
        ("drug", "http://www.whocc.no/atc|N01AX03", ["ketamine"]),
        ("route", "http://snomed.info/sct|47625008", ["iv"]),
        ("observation", "http://example.org|PHQ9", []),
    ],
)
def test_tokens_map_standard_codes_to_registry_codes(
    system_name: str, token: str, codes: list[str]
) -> None:
    assert token_codes(system_name, token) == codes


def test_partial_dates_cover_their_whole_span() -> None:
    assert date_range("2024") == (19723, 20088)  # 2024-01-01 .. 2024-12-31
    assert date_range("2024-02") == (19754, 19782)  # leap February
    assert date_range("2024-02-29") == (19782, 19782)
    for bad in ("2024-02-30", "24-01", "2024-1-01", "yesterday"):
        with pytest.raises(InputError):
            date_range(bad)


def _search(node: dict[str, Any], query: str) -> httpx.Response:
    return httpx.get(
        f"{node['url']}/fhir/{query}", auth=SignedRequestAuth(node["reader_key"]), timeout=30
    )


def test_search_by_loinc_equals_search_by_registry_code(node: dict[str, Any]) -> None:
    by_loinc = _search(node, "Observation?code=http://loinc.org%7C44261-6&_summary=count").json()[
        "total"
    ]
    by_code = _search(node, "Observation?code=PHQ9&_summary=count").json()["total"]
    assert by_loinc == by_code > 0


def test_partial_date_search_and_full_urls(node: dict[str, Any]) -> None:
    year = _search(node, "MedicationAdministration?date=2024&_count=5").json()
    months = sum(
        _search(node, f"MedicationAdministration?date=2024-{m:02d}&_summary=count").json()["total"]
        for m in range(1, 13)
    )
    assert year["total"] == months > 0
    entry = year["entry"][0]
    assert (
        entry["fullUrl"] == f"{node['url']}/fhir/MedicationAdministration/{entry['resource']['id']}"
    )
    assert (
        _search(node, "MedicationAdministration?date=ge2025-01-01&_summary=count").json()["total"]
        + _search(node, "MedicationAdministration?date=lt2025-01-01&_summary=count").json()["total"]
        == _search(node, "MedicationAdministration?_summary=count").json()["total"]
    )


def test_count_zero_gives_total_only_and_patient_param_refused_on_patient(
    node: dict[str, Any],
) -> None:
    bundle = _search(node, "Patient?_count=0").json()
    assert bundle["total"] == 120 and "entry" not in bundle
    assert _search(node, "Patient?patient=x").status_code == 400


def test_signed_client_encodes_token_separator(node: dict[str, Any]) -> None:
    # httpx leaves `|` unencoded; our signer encodes it so the signed target URI is a valid URI
    response = _search(node, "Observation?code=http://loinc.org|44261-6&_summary=count")
    assert response.status_code == 200, response.text
    assert (
        response.json()["total"]
        == _search(node, "Observation?code=PHQ9&_summary=count").json()["total"]
    )
