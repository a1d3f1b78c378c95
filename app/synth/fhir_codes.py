"""Code systems and standard codes used in the synthetic FHIR bulk export (see shared CODES.md)."""

from __future__ import annotations

from functools import cache
from typing import Any

KETANET = "https://ketanet.org/fhir"
ATC = "http://www.whocc.no/atc"
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
AE_SEVERITY = "http://terminology.hl7.org/CodeSystem/adverse-event-severity"
AE_SERIOUSNESS = "http://terminology.hl7.org/CodeSystem/adverse-event-seriousness"
AE_OUTCOME = "http://terminology.hl7.org/CodeSystem/adverse-event-outcome"

EXTENSION_FAILED_TRIALS = f"{KETANET}/StructureDefinition/failed-trials"
EXTENSION_SUBSTANCE_USE = f"{KETANET}/StructureDefinition/substance-use-history"
EXTENSION_PSYCHOSIS = f"{KETANET}/StructureDefinition/psychosis-history"
EXTENSION_BODY_WEIGHT = f"{KETANET}/StructureDefinition/body-weight"

ROUTE_SNOMED = {
    "iv": "47625008",
    "im": "78421000",
    "sc": "34206005",
    "intranasal": "46713006",
    "oral": "26643006",
    "sublingual": "37839007",
}
OBSERVATION_LOINC = {
    "PHQ9": "44261-6",
    "SBP": "8480-6",
    "DBP": "8462-4",
    "HR": "8867-4",
    "ALT": "1742-6",
}
OBSERVATION_CATEGORIES = {"SBP": "vital-signs", "DBP": "vital-signs", "HR": "vital-signs"}
OBSERVATION_CATEGORIES |= {"ALT": "laboratory", "AST": "laboratory"}
ADVERSE_EVENT_SNOMED = {
    "suicidal-ideation": "6471006",
    "dizziness": "404640003",
    "headache": "25064002",
    "nausea": "422587007",
    "vomiting": "422400008",
    "hypertension": "38341003",
    "psychotic-symptoms": "7011001",
}
OUTCOME_CODES = {
    "recovered": "resolved",
    "recovering": "recovering",
    "not-recovered": "ongoing",
    "recovered-with-sequelae": "resolvedWithSequelae",
    "fatal": "fatal",
    "unknown": "unknown",
}


def coding(system: str, code: str) -> dict[str, Any]:
    """Return a CodeableConcept with a single coding."""
    return {"coding": [{"system": system, "code": code}]}


@cache
def medication_concept(drug: str, route: str) -> dict[str, Any]:
    """Return the ATC CodeableConcept of a drug given by a route (KetaNet code for arketamine)."""
    if drug == "ketamine":
        return coding(ATC, "N01AX03")
    if drug == "esketamine":
        return coding(ATC, "N06AX27" if route == "intranasal" else "N01AX14")
    return coding(f"{KETANET}/CodeSystem/drug", drug)


@cache
def route_concept(route: str) -> dict[str, Any]:
    """Return the SNOMED CT CodeableConcept of a KetaNet route code."""
    return coding(SNOMED, ROUTE_SNOMED[route])


@cache
def observation_concept(code: str) -> dict[str, Any]:
    """Return the LOINC CodeableConcept of an observation code, else its KetaNet code."""
    if code in OBSERVATION_LOINC:
        return coding(LOINC, OBSERVATION_LOINC[code])
    return coding(f"{KETANET}/CodeSystem/observation", code)


@cache
def observation_category(code: str) -> list[dict[str, Any]]:
    """Return the FHIR observation category of an observation code (scores are surveys)."""
    return [coding(OBSERVATION_CATEGORY, OBSERVATION_CATEGORIES.get(code, "survey"))]


@cache
def adverse_event_concept(event: str) -> dict[str, Any]:
    """Return an adverse event's CodeableConcept: KetaNet code, plus SNOMED CT where verified."""
    codings = [{"system": f"{KETANET}/CodeSystem/adverse-event", "code": event}]
    if event in ADVERSE_EVENT_SNOMED:
        codings.append({"system": SNOMED, "code": ADVERSE_EVENT_SNOMED[event]})
    return {"coding": codings}
