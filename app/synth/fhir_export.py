"""The EHR-style FHIR R4 Bulk Data export: one NDJSON file per resource type, identified data.

Each record of a patient bundle becomes one resource with standard codes (ATC, SNOMED CT, LOINC,
ICD-10, UCUM) where CODES.md gives a verified one and a KetaNet code otherwise; instants keep the
exact text (and UTC offset) of the CSV export. The lead's built-in FHIR mapping reads this layout.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

import orjson

from app.profiles.prem import PREM_CANONICAL, answer_system
from app.synth import fhir_codes as fc
from app.synth.experience import ConsentRow, ExperienceRow
from app.synth.files import ExportFiles
from app.synth.records import (
    AdministrationRow,
    AdverseEventRow,
    DiscontinuationRow,
    DispenseRow,
    ObservationRow,
    PatientBundle,
    PatientRow,
    ReviewRow,
)

RESOURCE_TYPES = (
    "Patient",
    "Condition",
    "MedicationAdministration",
    "MedicationDispense",
    "Observation",
    "AdverseEvent",
    "MedicationStatement",
    "Encounter",
    "QuestionnaireResponse",
    "Consent",
)

_SETTING = f"{fc.KETANET}/CodeSystem/setting"
_REASON = f"{fc.KETANET}/CodeSystem/discontinuation-reason"
_ACTIVE = fc.coding(fc.CONDITION_CLINICAL, "active")
_SERIOUS = {
    s: fc.coding(fc.AE_SERIOUSNESS, c) for s, c in (("yes", "serious"), ("no", "non-serious"))
}
_SEVERITY = {s: fc.coding(fc.AE_SEVERITY, s) for s in ("mild", "moderate", "severe")}
_OUTCOME = {word: fc.coding(fc.AE_OUTCOME, code) for word, code in fc.OUTCOME_CODES.items()}


def _mg(value: float) -> dict[str, Any]:
    return {"value": value, "unit": "mg", "system": fc.UCUM, "code": "mg"}


def patient_resource(row: PatientRow, country: str) -> dict[str, Any]:
    """Return the FHIR Patient of a patient row."""
    resource: dict[str, Any] = {"resourceType": "Patient", "id": row.patient_id}
    extensions: list[dict[str, Any]] = []
    if row.failed_trials is not None:
        extensions.append({"url": fc.EXTENSION_FAILED_TRIALS, "valueInteger": row.failed_trials})
    if row.substance_use_history is not None:
        extensions.append(
            {"url": fc.EXTENSION_SUBSTANCE_USE, "valueCode": row.substance_use_history}
        )
    if row.psychosis_history is not None:
        extensions.append({"url": fc.EXTENSION_PSYCHOSIS, "valueCode": row.psychosis_history})
    if extensions:
        resource["extension"] = extensions
    if row.national_id is not None:
        system = f"urn:ketanet:national-id:{country}"
        resource["identifier"] = [{"system": system, "value": row.national_id}]
    name: dict[str, Any] = {"family": row.family_name}
    if row.given_name is not None:
        name["given"] = [row.given_name]
    resource |= {"name": [name], "gender": row.sex, "birthDate": row.birth_date}
    if row.postal_code is not None:
        resource["address"] = [{"postalCode": row.postal_code}]
    return resource


def condition_resource(row: PatientRow) -> dict[str, Any]:
    """Return the FHIR Condition (the depression diagnosis) of a patient row."""
    return {
        "resourceType": "Condition",
        "id": f"cond-{row.patient_id}",
        "clinicalStatus": _ACTIVE,
        "code": fc.coding(fc.ICD10, row.diagnosis),
        "subject": {"reference": f"Patient/{row.patient_id}"},
    }


def administration_resource(row: AdministrationRow, subject: dict[str, str]) -> dict[str, Any]:
    """Return the FHIR MedicationAdministration of an administration row."""
    resource: dict[str, Any] = {
        "resourceType": "MedicationAdministration",
        "id": row.administration_id,
        "status": "completed",
        "category": fc.coding(_SETTING, row.setting),
        "medicationCodeableConcept": fc.medication_concept(row.drug, row.route),
        "subject": subject,
        "effectiveDateTime": row.administered_at,
        "dosage": {"route": fc.route_concept(row.route), "dose": _mg(row.dose_mg)},
    }
    if row.weight_kg is not None:
        weight = {"value": row.weight_kg, "unit": "kg", "system": fc.UCUM, "code": "kg"}
        resource["extension"] = [{"url": fc.EXTENSION_BODY_WEIGHT, "valueQuantity": weight}]
    return resource


def dispense_resource(row: DispenseRow, subject: dict[str, str]) -> dict[str, Any]:
    """Return the FHIR MedicationDispense of a take-home dispense row."""
    return {
        "resourceType": "MedicationDispense",
        "id": row.dispense_id,
        "status": "completed",
        "medicationCodeableConcept": fc.medication_concept(row.drug, row.route),
        "subject": subject,
        "quantity": _mg(row.quantity_mg),
        "daysSupply": {"value": row.days_supply, "unit": "d", "system": fc.UCUM, "code": "d"},
        "whenHandedOver": row.dispensed_at,
        "dosageInstruction": [{"route": fc.route_concept(row.route)}],
    }


def observation_resource(row: ObservationRow, subject: dict[str, str]) -> dict[str, Any]:
    """Return the FHIR Observation of an observation row (unit ``{score}`` for scores)."""
    unit = row.unit or "{score}"
    return {
        "resourceType": "Observation",
        "id": row.observation_id,
        "status": "final",
        "category": fc.observation_category(row.code),
        "code": fc.observation_concept(row.code),
        "subject": subject,
        "effectiveDateTime": row.observed_at,
        "valueQuantity": {"value": row.value, "unit": unit, "system": fc.UCUM, "code": unit},
    }


def adverse_event_resource(row: AdverseEventRow, subject: dict[str, str]) -> dict[str, Any]:
    """Return the FHIR AdverseEvent of an adverse-event row, naming the linked administration."""
    resource: dict[str, Any] = {
        "resourceType": "AdverseEvent",
        "id": row.event_id,
        "actuality": "actual",
        "event": fc.adverse_event_concept(row.event),
        "subject": subject,
        "date": row.onset_at,
        "seriousness": _SERIOUS[row.serious],
        "severity": _SEVERITY[row.severity],
        "outcome": _OUTCOME[row.outcome],
    }
    if row.administration_id is not None:
        reference = f"MedicationAdministration/{row.administration_id}"
        resource["suspectEntity"] = [{"instance": {"reference": reference}}]
    return resource


def discontinuation_resource(row: DiscontinuationRow, subject: dict[str, str]) -> dict[str, Any]:
    """Return the FHIR MedicationStatement (status stopped) of a discontinuation row."""
    return {
        "resourceType": "MedicationStatement",
        "id": f"stop-{row.patient_id}-{row.sequence}",
        "status": "stopped",
        "statusReason": [fc.coding(_REASON, row.reason)],
        "medicationCodeableConcept": fc.medication_concept(row.drug, row.route),
        "subject": subject,
        "effectiveDateTime": row.stopped_at,
    }


def questionnaire_responses(
    rows: list[ExperienceRow], subject: dict[str, str]
) -> list[dict[str, Any]]:
    """Return the FHIR QuestionnaireResponses of a patient's PREM answers, one per response id."""
    responses: dict[str, dict[str, Any]] = {}
    for row in rows:
        response = responses.get(row.response_id)
        if response is None:
            response = responses[row.response_id] = {
                "resourceType": "QuestionnaireResponse",
                "id": row.response_id,
                "questionnaire": PREM_CANONICAL,
                "status": "completed",
                "subject": subject,
                "authored": row.completed_at,
                "item": [],
            }
        system = f"{fc.KETANET}/CodeSystem/{answer_system(row.answer)}"
        coding = {"system": system, "code": row.answer}
        response["item"].append({"linkId": row.item, "answer": [{"valueCoding": coding}]})
    return list(responses.values())


def consent_resource(row: ConsentRow, subject: dict[str, str]) -> dict[str, Any]:
    """Return the FHIR Consent of a consent row (category = the kind of record)."""
    return {
        "resourceType": "Consent",
        "id": row.consent_id,
        "status": "active",
        "scope": {"coding": [{"system": _CONSENT_SCOPE, "code": "treatment"}]},
        "category": [fc.coding(f"{fc.KETANET}/CodeSystem/consent-kind", row.kind)],
        "patient": subject,
        "dateTime": row.recorded_at,
    }


_CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"


def review_resource(row: ReviewRow, subject: dict[str, str]) -> dict[str, Any]:
    """Return the FHIR Encounter (type prescriber-review) of a review row."""
    return {
        "resourceType": "Encounter",
        "id": row.review_id,
        "status": "finished",
        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
        "type": [fc.coding(f"{fc.KETANET}/CodeSystem/encounter-type", "prescriber-review")],
        "subject": subject,
        "period": {"start": row.reviewed_at},
    }


class FhirNdjsonWriter(ExportFiles):
    """Writes patient bundles as FHIR Bulk Data NDJSON, ``<ResourceType>.ndjson`` per type."""

    def __init__(self, folder: Path, country: str) -> None:
        super().__init__(folder, [f"{t}.ndjson" for t in RESOURCE_TYPES])
        self.country = country
        self._files: dict[str, IO[bytes]] = {
            t: self._open(f"{t}.ndjson", binary=True) for t in RESOURCE_TYPES
        }

    def write(self, bundle: PatientBundle) -> None:
        """Append one patient's resources to the files."""
        dump, option = orjson.dumps, orjson.OPT_APPEND_NEWLINE
        files, rows = self._files, self.rows
        subject = {"reference": f"Patient/{bundle.patient.patient_id}"}
        files["Patient"].write(dump(patient_resource(bundle.patient, self.country), option=option))
        files["Condition"].write(dump(condition_resource(bundle.patient), option=option))
        lines = [
            dump(administration_resource(r, subject), option=option) for r in bundle.administrations
        ]
        files["MedicationAdministration"].write(b"".join(lines))
        lines = [dump(dispense_resource(r, subject), option=option) for r in bundle.dispenses]
        files["MedicationDispense"].write(b"".join(lines))
        lines = [dump(observation_resource(r, subject), option=option) for r in bundle.observations]
        files["Observation"].write(b"".join(lines))
        lines = [
            dump(adverse_event_resource(r, subject), option=option) for r in bundle.adverse_events
        ]
        files["AdverseEvent"].write(b"".join(lines))
        lines = [
            dump(discontinuation_resource(r, subject), option=option)
            for r in bundle.discontinuations
        ]
        files["MedicationStatement"].write(b"".join(lines))
        rows["Patient.ndjson"] += 1
        rows["Condition.ndjson"] += 1
        rows["MedicationAdministration.ndjson"] += len(bundle.administrations)
        rows["MedicationDispense.ndjson"] += len(bundle.dispenses)
        rows["Observation.ndjson"] += len(bundle.observations)
        rows["AdverseEvent.ndjson"] += len(bundle.adverse_events)
        rows["MedicationStatement.ndjson"] += len(bundle.discontinuations)
        lines = [dump(review_resource(r, subject), option=option) for r in bundle.reviews]
        files["Encounter"].write(b"".join(lines))
        rows["Encounter.ndjson"] += len(bundle.reviews)
        responses = questionnaire_responses(bundle.experience, subject)
        files["QuestionnaireResponse"].write(b"".join(dump(r, option=option) for r in responses))
        lines = [dump(consent_resource(r, subject), option=option) for r in bundle.consents]
        files["Consent"].write(b"".join(lines))
        rows["QuestionnaireResponse.ndjson"] += len(responses)
        rows["Consent.ndjson"] += len(bundle.consents)
