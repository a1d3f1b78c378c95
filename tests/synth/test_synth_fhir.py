"""The FHIR Bulk NDJSON export: valid R4B resources, standard codes, the same data as the CSV."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from app.synth import SynthSummary

from .exports import read_csv, read_ndjson

ATC_DRUGS = {"N01AX03": "ketamine", "N06AX27": "esketamine", "N01AX14": "esketamine"}
SNOMED_ROUTES = {
    "47625008": "iv",
    "78421000": "im",
    "34206005": "sc",
    "46713006": "intranasal",
    "26643006": "oral",
    "37839007": "sublingual",
}
LOINC = {"44261-6": "PHQ9", "8480-6": "SBP", "8462-4": "DBP", "8867-4": "HR", "1742-6": "ALT"}
OUTCOMES = {
    "resolved": "recovered",
    "recovering": "recovering",
    "ongoing": "not-recovered",
    "resolvedWithSequelae": "recovered-with-sequelae",
    "fatal": "fatal",
    "unknown": "unknown",
}
KETANET = "https://ketanet.org/fhir"


def _resources(out: Path, resource_type: str) -> list[dict]:
    return read_ndjson(out / "fhir" / f"{resource_type}.ndjson")


def _code(concept: dict, system: str) -> str | None:
    return next((c["code"] for c in concept["coding"] if c["system"] == system), None)


def _drug(concept: dict) -> str:
    atc = _code(concept, "http://www.whocc.no/atc")
    return ATC_DRUGS[atc] if atc else _code(concept, f"{KETANET}/CodeSystem/drug") or "?"


def _route(concept: dict) -> str:
    return SNOMED_ROUTES[_code(concept, "http://snomed.info/sct") or ""]


def _number(text: str) -> float | None:
    return float(text) if text else None


def _subject(resource: dict) -> str:
    return resource["subject"]["reference"].removeprefix("Patient/")


@pytest.mark.parametrize(
    "resource_type",
    [
        "Patient",
        "Condition",
        "MedicationAdministration",
        "MedicationDispense",
        "Observation",
        "AdverseEvent",
        "MedicationStatement",
    ],
)
def test_every_fhir_resource_validates_with_r4b(
    small_export: tuple[Path, SynthSummary], resource_type: str
) -> None:
    out, _ = small_export
    model = getattr(
        importlib.import_module(f"fhir.resources.R4B.{resource_type.lower()}"), resource_type
    )
    resources = _resources(out, resource_type)
    assert resources, resource_type
    for resource in resources:
        assert resource["resourceType"] == resource_type
        model.model_validate(resource)


def test_ndjson_lines_are_compact_json(small_export: tuple[Path, SynthSummary]) -> None:
    out, _ = small_export
    first = (out / "fhir" / "Patient.ndjson").read_bytes().split(b"\n", 1)[0]
    assert first.startswith(b'{"resourceType":"Patient","id":"NO-P000001"')
    assert b": " not in first and b", " not in first


def test_patients_hold_the_same_values(small_export: tuple[Path, SynthSummary]) -> None:
    out, _ = small_export
    conditions = {c["subject"]["reference"]: c for c in _resources(out, "Condition")}
    fhir = []
    for p in _resources(out, "Patient"):
        ext = {e["url"].rsplit("/", 1)[1]: e for e in p.get("extension", [])}
        identifiers = p.get("identifier", [])
        assert all(i["system"] == "urn:ketanet:national-id:NO" for i in identifiers)
        condition = conditions[f"Patient/{p['id']}"]
        assert condition["id"] == f"cond-{p['id']}"
        assert (
            _code(
                condition["clinicalStatus"],
                "http://terminology.hl7.org/CodeSystem/condition-clinical",
            )
            == "active"
        )
        fhir.append({
            "patient_id": p["id"],
            "national_id": identifiers[0]["value"] if identifiers else "",
            "family_name": p["name"][0]["family"],
            "given_name": p["name"][0].get("given", [""])[0],
            "birth_date": p["birthDate"],
            "sex": p["gender"],
            "postal_code": p.get("address", [{}])[0].get("postalCode", ""),
            "diagnosis": _code(condition["code"], "http://hl7.org/fhir/sid/icd-10"),
            "failed_trials": str(ext.get("failed-trials", {}).get("valueInteger", "")),
            "substance_use_history": ext.get("substance-use-history", {}).get("valueCode", ""),
            "psychosis_history": ext.get("psychosis-history", {}).get("valueCode", ""),
        })  # fmt: skip
    assert fhir == read_csv(out / "csv" / "patients.csv")


def test_administrations_hold_the_same_values(small_export: tuple[Path, SynthSummary]) -> None:
    out, _ = small_export
    rows = read_csv(out / "csv" / "administrations.csv")
    resources = _resources(out, "MedicationAdministration")
    assert len(rows) == len(resources)
    for row, r in zip(rows, resources, strict=True):
        assert r["status"] == "completed"
        weight = [e["valueQuantity"] for e in r.get("extension", [])]
        assert (r["id"], _subject(r), r["effectiveDateTime"]) == (
            row["administration_id"], row["patient_id"], row["administered_at"]
        )  # fmt: skip
        assert (_drug(r["medicationCodeableConcept"]), _route(r["dosage"]["route"])) == (
            row["drug"], row["route"]
        )  # fmt: skip
        assert r["dosage"]["dose"]["value"] == float(row["dose_mg"])
        assert r["dosage"]["dose"]["unit"] == "mg"
        assert (weight[0]["value"] if weight else None) == _number(row["weight_kg"])
        assert _code(r["category"], f"{KETANET}/CodeSystem/setting") == row["setting"]


def test_esketamine_atc_code_depends_on_route(small_export: tuple[Path, SynthSummary]) -> None:
    out, _ = small_export
    pairs = {
        (
            _code(r["medicationCodeableConcept"], "http://www.whocc.no/atc"),
            _route(r["dosage"]["route"]),
        )
        for r in _resources(out, "MedicationAdministration")
    }
    assert ("N06AX27", "intranasal") in pairs
    assert all(route == "intranasal" for atc, route in pairs if atc == "N06AX27")
    assert all(route != "intranasal" for atc, route in pairs if atc == "N01AX14")


def test_dispenses_hold_the_same_values(small_export: tuple[Path, SynthSummary]) -> None:
    out, _ = small_export
    fhir = [
        {
            "dispense_id": r["id"],
            "patient_id": _subject(r),
            "dispensed_at": r["whenHandedOver"],
            "drug": _drug(r["medicationCodeableConcept"]),
            "route": _route(r["dosageInstruction"][0]["route"]),
            "quantity_mg": r["quantity"]["value"],
            "days_supply": r["daysSupply"]["value"],
        }
        for r in _resources(out, "MedicationDispense")
    ]
    rows = read_csv(out / "csv" / "dispenses.csv")
    rows = [
        {**row, "quantity_mg": float(row["quantity_mg"]), "days_supply": int(row["days_supply"])}
        for row in rows
    ]
    assert rows and fhir == rows


def test_observations_hold_the_same_values(small_export: tuple[Path, SynthSummary]) -> None:
    out, _ = small_export
    rows = read_csv(out / "csv" / "observations.csv")
    resources = _resources(out, "Observation")
    assert len(rows) == len(resources)
    for row, r in zip(rows, resources, strict=True):
        loinc = _code(r["code"], "http://loinc.org")
        code = LOINC[loinc] if loinc else _code(r["code"], f"{KETANET}/CodeSystem/observation")
        assert (r["id"], _subject(r), r["effectiveDateTime"], code) == (
            row["observation_id"], row["patient_id"], row["observed_at"], row["code"]
        )  # fmt: skip
        assert r["valueQuantity"]["value"] == float(row["value"])
        assert r["valueQuantity"]["unit"] == (row["unit"] or "{score}")


def test_adverse_events_hold_the_same_values(small_export: tuple[Path, SynthSummary]) -> None:
    out, _ = small_export
    fhir = []
    for r in _resources(out, "AdverseEvent"):
        seriousness = r["seriousness"]["coding"][0]["code"]
        suspects = [s["instance"]["reference"] for s in r.get("suspectEntity", [])]
        fhir.append({
            "event_id": r["id"],
            "patient_id": _subject(r),
            "onset_at": r["date"],
            "event": _code(r["event"], f"{KETANET}/CodeSystem/adverse-event"),
            "severity": r["severity"]["coding"][0]["code"],
            "serious": {"serious": "yes", "non-serious": "no"}[seriousness],
            "outcome": OUTCOMES[r["outcome"]["coding"][0]["code"]],
            "administration_id": "".join(suspects).removeprefix("MedicationAdministration/"),
        })  # fmt: skip
    assert fhir == read_csv(out / "csv" / "adverse_events.csv")


def test_events_with_snomed_codes_carry_both_codings(
    small_export: tuple[Path, SynthSummary],
) -> None:
    out, _ = small_export
    nausea = [
        r
        for r in _resources(out, "AdverseEvent")
        if _code(r["event"], f"{KETANET}/CodeSystem/adverse-event") == "nausea"
    ]
    assert nausea and all(
        _code(r["event"], "http://snomed.info/sct") == "422587007" for r in nausea
    )


def test_discontinuations_hold_the_same_values(small_export: tuple[Path, SynthSummary]) -> None:
    out, _ = small_export
    last_drug: dict[str, str] = {}
    for row in read_csv(out / "csv" / "administrations.csv"):
        last_drug[row["patient_id"]] = row["drug"]
    fhir = []
    for r in _resources(out, "MedicationStatement"):
        assert r["status"] == "stopped"
        assert r["id"].startswith(f"stop-{_subject(r)}-")
        reason = _code(r["statusReason"][0], f"{KETANET}/CodeSystem/discontinuation-reason")
        fhir.append(
            {"patient_id": _subject(r), "stopped_at": r["effectiveDateTime"], "reason": reason}
        )
        assert _drug(r["medicationCodeableConcept"]) in {"ketamine", "esketamine", "arketamine"}
    assert fhir and fhir == read_csv(out / "csv" / "discontinuations.csv")
    ids = [r["id"] for r in _resources(out, "MedicationStatement")]
    assert len(set(ids)) == len(ids)
