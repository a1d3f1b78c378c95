"""StructureDefinitions of the registry profiles and extensions (published in ``schemas/fhir/``).

Each profile is a constraint on the R4 base resource stated as a differential: which elements are
required and which ValueSet binds each coded element. ``write_conformance_files(Path("schemas/fhir"))``
writes them, with the CodeSystems and ValueSets, as FHIR JSON files (a test keeps them in step).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.profiles.codes import KETANET_SD, KETANET_VS
from app.profiles.prem import prem_questionnaire
from app.profiles.record_resources import PROFILE_IDS, RESOURCE_TYPES
from app.profiles.terminology import VERSION, code_systems, value_sets

Element = tuple[str, int, str, str | None]
"""(path below the resource, min, max, bound ValueSet name or None)."""

_ELEMENTS: dict[str, list[Element]] = {
    "patient": [
        ("gender", 1, "1", "sex"),
        ("birthDate", 1, "1", None),
        ("name", 0, "0", None),
        ("identifier", 0, "0", None),
        ("telecom", 0, "0", None),
    ],
    "condition": [("subject", 1, "1", None), ("code", 1, "1", "diagnosis")],
    "administration": [
        ("status", 1, "1", None),
        ("medicationCodeableConcept", 1, "1", "drug"),
        ("effectiveDateTime", 1, "1", None),
        ("category", 1, "1", "setting"),
        ("dosage.route", 1, "1", "route"),
        ("dosage.dose", 1, "1", None),
    ],
    "dispense": [
        ("medicationCodeableConcept", 1, "1", "drug"),
        ("whenHandedOver", 1, "1", None),
        ("quantity", 1, "1", None),
        ("daysSupply", 1, "1", None),
    ],
    "observation": [
        ("code", 1, "1", "observation"),
        ("effectiveDateTime", 1, "1", None),
        ("valueQuantity", 1, "1", None),
    ],
    "adverse_event": [
        ("event", 1, "1", "adverse-event"),
        ("date", 1, "1", None),
        ("seriousness", 1, "1", "adverse-event-seriousness"),
        ("severity", 1, "1", "adverse-event-severity"),
        ("outcome", 1, "1", "adverse-event-outcome"),
    ],
    "discontinuation": [
        ("status", 1, "1", None),
        ("statusReason", 1, "1", "discontinuation-reason"),
        ("effectiveDateTime", 1, "1", None),
    ],
    "experience": [
        ("identifier", 0, "0", None),
        ("questionnaire", 1, "1", None),
        ("status", 1, "1", None),
        ("subject", 1, "1", None),
        ("authored", 1, "1", None),
        ("item", 1, "*", None),
        ("item.linkId", 1, "1", "prem-item"),
        ("item.answer", 1, "1", None),
    ],
    "consent": [
        ("identifier", 0, "0", None),
        ("status", 1, "1", None),
        ("category", 1, "1", "consent-kind"),
        ("patient", 1, "1", None),
        ("dateTime", 1, "1", None),
    ],
    "review": [
        ("type", 1, "1", "encounter-type"),
        ("period.start", 1, "1", None),
    ],
}

_EXTENSIONS: dict[str, tuple[str, str, str]] = {
    "failed-trials": ("Patient", "valueInteger", "Failed adequate antidepressant trials"),
    "substance-use-history": ("Patient", "valueCode", "History of substance use (yes/no/unknown)"),
    "psychosis-history": ("Patient", "valueCode", "History of psychosis (yes/no/unknown)"),
    "body-weight": ("MedicationAdministration", "valueQuantity", "Body weight at administration"),
}


def _base(sd_id: str, title: str, kind: str, type_name: str, base: str) -> dict[str, Any]:
    return {
        "resourceType": "StructureDefinition",
        "id": sd_id,
        "url": KETANET_SD + sd_id,
        "version": VERSION,
        "name": "".join(part.capitalize() for part in sd_id.split("-")),
        "title": title,
        "status": "active",
        "publisher": "KetaNet",
        "fhirVersion": "4.0.1",
        "kind": kind,
        "abstract": False,
        "type": type_name,
        "baseDefinition": "http://hl7.org/fhir/StructureDefinition/" + base,
        "derivation": "constraint",
    }


def _profile(kind: str) -> dict[str, Any]:
    type_name = RESOURCE_TYPES[kind]
    sd_id = PROFILE_IDS[kind]
    elements: list[dict[str, Any]] = [{"id": type_name, "path": type_name}]
    for path, minimum, maximum, value_set in _ELEMENTS[kind]:
        element: dict[str, Any] = {
            "id": f"{type_name}.{path}",
            "path": f"{type_name}.{path}",
            "min": minimum,
            "max": maximum,
        }
        if value_set is not None:
            element["binding"] = {"strength": "required", "valueSet": KETANET_VS + value_set}
        elements.append(element)
    title = f"KetaNet registry {type_name} ({kind.replace('_', ' ')})"
    return {
        **_base(sd_id, title, "resource", type_name, type_name),
        "differential": {"element": elements},
    }


def _extension(name: str, context: str, value_type: str, title: str) -> dict[str, Any]:
    type_code = value_type.removeprefix("value")
    type_code = (
        type_code[0].lower() + type_code[1:] if type_code in {"Integer", "Code"} else type_code
    )
    return {
        **_base(name, title, "complex-type", "Extension", "Extension"),
        "context": [{"type": "element", "expression": context}],
        "differential": {
            "element": [
                {"id": "Extension", "path": "Extension", "max": "1"},
                {"id": "Extension.url", "path": "Extension.url", "fixedUri": KETANET_SD + name},
                {
                    "id": "Extension.value[x]",
                    "path": "Extension.value[x]",
                    "min": 1,
                    "type": [{"code": type_code}],
                },
            ]
        },
    }


def structure_definitions() -> list[dict[str, Any]]:
    """Return the StructureDefinitions of the registry profiles and extensions."""
    profiles = [_profile(kind) for kind in RESOURCE_TYPES]
    extensions = [_extension(name, *spec) for name, spec in _EXTENSIONS.items()]
    return profiles + extensions


def conformance_resources() -> dict[str, dict[str, Any]]:
    """Return every published conformance resource keyed by its file name in ``schemas/fhir/``."""
    files: dict[str, dict[str, Any]] = {}
    for resource in [
        *structure_definitions(),
        *code_systems(),
        *value_sets(),
        prem_questionnaire(),
    ]:
        files[f"{resource['resourceType']}-{resource['id']}.json"] = resource
    return files


def write_conformance_files(folder: Path) -> list[Path]:
    """Write ``conformance_resources()`` into ``folder``; return the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, resource in conformance_resources().items():
        path = folder / name
        path.write_text(json.dumps(resource, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
    return written
