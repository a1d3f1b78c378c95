"""Store rows → registry FHIR R4 resources, as plain dicts (no pydantic on this path: it is hot).

The node's record-level search calls ``record_to_resource`` for every row it serves. Coded elements
carry the KetaNet coding and, where CODES.md marks one verified, the standard coding beside it.
Nested codeable concepts are shared between calls: treat returned resources as read-only.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from app.profiles.codes import (
    AE_OUTCOME,
    AE_OUTCOME_CODES,
    AE_SERIOUSNESS,
    AE_SEVERITY,
    ATC,
    CODE_SYSTEMS,
    ICD10,
    KETANET_CS,
    KETANET_SD,
    STANDARD_CODINGS,
    UCUM,
    esketamine_atc,
)
from app.profiles.dataset import OBSERVATION_UNITS
from app.profiles.prem import PREM_CANONICAL, answer_system

RESOURCE_TYPES: dict[str, str] = {
    "patient": "Patient",
    "condition": "Condition",
    "administration": "MedicationAdministration",
    "dispense": "MedicationDispense",
    "observation": "Observation",
    "adverse_event": "AdverseEvent",
    "review": "Encounter",
    "discontinuation": "MedicationStatement",
    "experience": "QuestionnaireResponse",
    "consent": "Consent",
}
"""Record kind → FHIR resource type (``condition`` is built from a patient row's diagnosis)."""

PROFILE_IDS: dict[str, str] = {kind: f"ketanet-{kind.replace('_', '-')}" for kind in RESOURCE_TYPES}
TREATMENT_TEXT = "ketamine or esketamine treatment"


def fhir_instant(at_s: int) -> str:
    """Return UTC epoch seconds as a FHIR dateTime (``2024-03-01T09:00:00Z``)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at_s))


@cache
def concept(system: str, code: str) -> dict[str, Any]:
    """Return the codeable concept of a KetaNet ``code`` with its verified standard codings."""
    display = CODE_SYSTEMS[system][1].get(code) if system in CODE_SYSTEMS else None
    coding: dict[str, Any] = {"system": KETANET_CS + system, "code": code}
    if display:
        coding["display"] = display
    standard = [
        {"system": std_system, "code": std_code, "display": std_display}
        for std_system, std_code, std_display in STANDARD_CODINGS.get(system, {}).get(code, ())
    ]
    return {"coding": [coding, *standard]}


@cache
def drug_concept(drug: str, route: str) -> dict[str, Any]:
    """Return the medication concept; esketamine's ATC code depends on the route (nasal or not)."""
    base = concept("drug", drug)
    if drug != "esketamine":
        return base
    atc = {"system": ATC, "code": esketamine_atc(route), "display": "esketamine"}
    return {"coding": [*base["coding"], atc]}


def _quantity(value: float, unit: str) -> dict[str, Any]:
    return {"value": value, "unit": unit, "system": UCUM, "code": unit}


def _meta(kind: str) -> dict[str, Any]:
    return {"profile": [KETANET_SD + PROFILE_IDS[kind]]}


def _subject(row: Mapping[Any, Any]) -> dict[str, str]:
    return {"reference": "Patient/" + row["patient_id"]}


def _patient(row: Mapping[Any, Any], country: str | None) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": row["id"],
        "meta": _meta("patient"),
        "gender": row["sex"],
        "birthDate": f"{row['birth_year']:04d}",
    }
    extensions = []
    if row.get("failed_trials") is not None:
        extensions.append(
            {"url": KETANET_SD + "failed-trials", "valueInteger": row["failed_trials"]}
        )
    for name in ("substance_use_history", "psychosis_history"):
        if row.get(name) is not None:
            url = KETANET_SD + name.replace("_", "-")
            extensions.append({"url": url, "valueCode": row[name]})
    if extensions:
        resource["extension"] = extensions
    if country:
        resource["address"] = [{"country": country}]
    return resource


def _condition(row: Mapping[Any, Any], _country: str | None) -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "id": "cond-" + row["id"],
        "meta": _meta("condition"),
        "subject": {"reference": "Patient/" + row["id"]},
        "code": {"coding": [{"system": ICD10, "code": row["diagnosis"]}]},
    }


def _administration(row: Mapping[Any, Any], _country: str | None) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "MedicationAdministration",
        "id": row["id"],
        "meta": _meta("administration"),
        "status": "completed",
        "medicationCodeableConcept": drug_concept(row["drug"], row["route"]),
        "subject": _subject(row),
        "effectiveDateTime": fhir_instant(row["at_s"]),
        "category": concept("setting", row["setting"]),
        "dosage": {
            "route": concept("route", row["route"]),
            "dose": _quantity(row["dose_mg"], "mg"),
        },
    }
    if row.get("weight_kg") is not None:
        weight = {
            "url": KETANET_SD + "body-weight",
            "valueQuantity": _quantity(row["weight_kg"], "kg"),
        }
        resource["extension"] = [weight]
    return resource


def _dispense(row: Mapping[Any, Any], _country: str | None) -> dict[str, Any]:
    return {
        "resourceType": "MedicationDispense",
        "id": row["id"],
        "meta": _meta("dispense"),
        "status": "completed",
        "medicationCodeableConcept": drug_concept(row["drug"], row["route"]),
        "subject": _subject(row),
        "whenHandedOver": fhir_instant(row["at_s"]),
        "quantity": _quantity(row["quantity_mg"], "mg"),
        "daysSupply": _quantity(row["days_supply"], "d"),
        "dosageInstruction": [{"route": concept("route", row["route"])}],
    }


def _observation(row: Mapping[Any, Any], _country: str | None) -> dict[str, Any]:
    unit = row.get("unit") or OBSERVATION_UNITS[row["code"]]
    return {
        "resourceType": "Observation",
        "id": row["id"],
        "meta": _meta("observation"),
        "status": "final",
        "code": concept("observation", row["code"]),
        "subject": _subject(row),
        "effectiveDateTime": fhir_instant(row["at_s"]),
        "valueQuantity": _quantity(row["value"], unit),
    }


def _adverse_event(row: Mapping[Any, Any], _country: str | None) -> dict[str, Any]:
    outcome = row["outcome"]
    resource: dict[str, Any] = {
        "resourceType": "AdverseEvent",
        "id": row["id"],
        "meta": _meta("adverse_event"),
        "actuality": "actual",
        "event": concept("adverse-event", row["event"]),
        "subject": _subject(row),
        "date": fhir_instant(row["at_s"]),
        "seriousness": _hl7(AE_SERIOUSNESS, "serious" if row["serious"] else "non-serious"),
        "severity": _hl7(AE_SEVERITY, row["severity"]),
        "outcome": {
            "coding": [
                {"system": AE_OUTCOME, "code": AE_OUTCOME_CODES[outcome]},
                *concept("adverse-event-outcome", outcome)["coding"],
            ]
        },
    }
    if row.get("administration_id"):
        reference = "MedicationAdministration/" + row["administration_id"]
        resource["suspectEntity"] = [{"instance": {"reference": reference}}]
    return resource


@cache
def _hl7(system: str, code: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code}]}


def _discontinuation(row: Mapping[Any, Any], _country: str | None) -> dict[str, Any]:
    return {
        "resourceType": "MedicationStatement",
        "id": row["id"],
        "meta": _meta("discontinuation"),
        "status": "stopped",
        "statusReason": [concept("discontinuation-reason", row["reason"])],
        "medicationCodeableConcept": {"text": TREATMENT_TEXT},
        "subject": _subject(row),
        "effectiveDateTime": fhir_instant(row["at_s"]),
    }


CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"


def _experience(row: Mapping[Any, Any], _country: str | None) -> dict[str, Any]:
    # One stored row is one answered item, served as a response holding that item: the
    # response's own pseudonym is the row's ``response_id``, never an identifier element.
    answer = row["answer"]
    return {
        "resourceType": "QuestionnaireResponse",
        "id": row["id"],
        "meta": _meta("experience"),
        "questionnaire": PREM_CANONICAL,
        "status": "completed",
        "subject": _subject(row),
        "authored": fhir_instant(row["at_s"]),
        "item": [
            {
                "linkId": row["item"],
                "answer": [{"valueCoding": _answer_coding(answer)}],
            }
        ],
    }


@cache
def _answer_coding(answer: str) -> dict[str, Any]:
    return {"system": KETANET_CS + answer_system(answer), "code": answer}


def _consent(row: Mapping[Any, Any], _country: str | None) -> dict[str, Any]:
    return {
        "resourceType": "Consent",
        "id": row["id"],
        "meta": _meta("consent"),
        "status": "active",
        "scope": _hl7(CONSENT_SCOPE, "treatment"),
        "category": [concept("consent-kind", row["kind"])],
        "patient": _subject(row),
        "dateTime": fhir_instant(row["at_s"]),
    }


def _review(row: Mapping[Any, Any], _country: str | None) -> dict[str, Any]:
    at = fhir_instant(row["at_s"])
    return {
        "resourceType": "Encounter",
        "id": row["id"],
        "meta": _meta("review"),
        "status": "finished",
        "class": _ENCOUNTER_CLASS,
        "type": [concept("encounter-type", "prescriber-review")],
        "subject": _subject(row),
        "period": {"start": at, "end": at},
    }


_ENCOUNTER_CLASS = {
    "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
    "code": "AMB",
    "display": "ambulatory",
}


_BUILDERS: dict[str, Callable[[Mapping[Any, Any], str | None], dict[str, Any]]] = {
    "patient": _patient,
    "condition": _condition,
    "administration": _administration,
    "dispense": _dispense,
    "observation": _observation,
    "adverse_event": _adverse_event,
    "discontinuation": _discontinuation,
    "review": _review,
    "experience": _experience,
    "consent": _consent,
}


def record_to_resource(
    kind: str, row: Mapping[Any, Any], *, country: str | None = None
) -> dict[str, Any]:
    """Return the FHIR resource (plain dict) of a store row; raises ``KeyError`` for an unknown kind.

    ``kind`` is a record kind or ``condition`` (the diagnosis of a patient row); ``country`` (the
    node's) goes into ``Patient.address.country``.
    """
    return _BUILDERS[kind](row, country)
