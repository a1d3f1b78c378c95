"""A real node publishes the PREM questionnaire, serves answers and consents without identifiers,
and answers the two new measures with valid, signed MeasureReports."""

from __future__ import annotations

import json
from typing import Any

import httpx
from fhir.resources.R4B.consent import Consent
from fhir.resources.R4B.measurereport import MeasureReport
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from app.profiles.prem import PREM_CANONICAL, PREM_ITEMS
from app.trust.httpx_auth import SignedRequestAuth
from tests.node.conftest import parameters

FHIR = "application/fhir+json"


def test_prem_questionnaire_is_published_with_its_ten_items(node: dict[str, Any]) -> None:
    questionnaire = httpx.get(f"{node['url']}/fhir/Questionnaire/prem-ketamine").json()
    Questionnaire.model_validate(questionnaire)
    assert f"{questionnaire['url']}|{questionnaire['version']}" == PREM_CANONICAL
    assert [item["linkId"] for item in questionnaire["item"]] == list(PREM_ITEMS)
    for item in questionnaire["item"]:
        value_set = item["answerValueSet"].rpartition("/")[2]
        assert httpx.get(f"{node['url']}/fhir/ValueSet/{value_set}").status_code == 200
    listed = httpx.get(f"{node['url']}/fhir/Questionnaire").json()
    assert [entry["resource"]["id"] for entry in listed["entry"]] == ["prem-ketamine"]
    assert httpx.get(f"{node['url']}/fhir/Questionnaire/phq9").status_code == 404


def test_served_answers_and_consents_validate_and_carry_no_identifier(
    node: dict[str, Any],
) -> None:
    auth = SignedRequestAuth(node["reader_key"])
    for kind, model in (("QuestionnaireResponse", QuestionnaireResponse), ("Consent", Consent)):
        bundle = httpx.get(f"{node['url']}/fhir/{kind}?_count=200", auth=auth, timeout=30).json()
        assert bundle["total"] > 0, kind
        for entry in bundle["entry"]:
            resource = entry["resource"]
            model.model_validate(resource)
            assert "identifier" not in resource
            assert resource["id"] and len(resource["id"]) == 32  # a pseudonym, not a source id
    answers = httpx.get(
        f"{node['url']}/fhir/QuestionnaireResponse?code=would-continue", auth=auth, timeout=30
    ).json()
    for entry in answers["entry"]:
        resource = entry["resource"]
        assert resource["questionnaire"] == PREM_CANONICAL
        assert resource["item"][0]["linkId"] == "would-continue"


def test_new_measures_answered_with_valid_reports(node: dict[str, Any]) -> None:
    body = parameters("patient-experience", stratify=["answer", "drug"])
    body["parameter"].append({"name": "item", "valueCode": "experience-acceptable"})
    for measure_body in (body, parameters("informed-consent", stratify=["route"])):
        response = httpx.post(
            f"{node['url']}/fhir/Measure/$evaluate-measure",
            content=json.dumps(measure_body).encode(),
            headers={"content-type": FHIR},
            auth=SignedRequestAuth(node["hub_key"]),
            timeout=30,
        )
        assert response.status_code == 200, response.text
        report = response.json()
        MeasureReport.model_validate(report)
        groups = [group["code"]["coding"][0]["code"] for group in report["group"]]
        assert groups[0] in {"respondents", "treated-patients"}
    missing = parameters("patient-experience")
    response = httpx.post(
        f"{node['url']}/fhir/Measure/$evaluate-measure",
        content=json.dumps(missing).encode(),
        headers={"content-type": FHIR},
        auth=SignedRequestAuth(node["hub_key"]),
        timeout=30,
    )
    assert response.status_code == 400
    assert "item" in response.text
