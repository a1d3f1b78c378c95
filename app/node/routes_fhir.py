"""Public FHIR endpoints: CapabilityStatement, the measure catalogue, CodeSystems and ValueSets."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from app import __version__
from app.catalogue import published_measures
from app.errors import NotFound
from app.node.deps import ContextDep
from app.node.search_params import search_parameters
from app.profiles import code_systems, prem_questionnaire, value_sets
from app.store.resource_tables import RESOURCE_TABLES
from app.web import OrjsonResponse, fhir_json

router = APIRouter(prefix="/fhir")
_SEARCH_NOTES = {
    "patient": "Patient/ID or ID (a pseudonymous id).",
    "date": "YYYY, YYYY-MM or YYYY-MM-DD with prefix eq, ge, gt, le or lt.",
    "code": "[system|]code, comma-separated: the KetaNet code system or a standard one "
    "(ICD-10, ATC, SNOMED CT, LOINC); system| matches every code of the system.",
    "event": "As code (the R4 name of AdverseEvent's event code).",
    "gender": "[system|]code: male, female, other, unknown.",
    "birthdate": "A year (YYYY) with prefix eq, ge, gt, le or lt: birth years only are kept.",
}
RESULT_SEARCH = [
    {
        "name": "_count",
        "type": "number",
        "documentation": "Page size (at most 1000; 0: total only).",
    },
    {
        "name": "_offset",
        "type": "number",
        "documentation": "Start of the page (next links carry it).",
    },
    {"name": "_summary", "type": "token", "documentation": "count: the total only."},
    {"name": "_total", "type": "token", "documentation": "none, estimate, accurate: always exact."},
]
"""The result parameters every record search takes (``_totalMethod`` too, as fhirpy sends it)."""


def searchset(resources: list[dict[str, Any]]) -> dict[str, Any]:
    """Return a FHIR searchset Bundle holding ``resources``."""
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(resources),
        "entry": [{"resource": resource} for resource in resources],
    }


def _by_id(
    resources: list[dict[str, Any]] | tuple[dict[str, Any], ...], kind: str, rid: str
) -> dict[str, Any]:
    for resource in resources:
        if resource.get("id") == rid:
            return resource
    raise NotFound(f"{kind}/{rid}: no such resource")


@router.get("/metadata")
def capability_statement(ctx: ContextDep) -> OrjsonResponse:
    """The node's CapabilityStatement: resources, search parameters, operations."""
    resources: list[dict[str, Any]] = [
        {
            "type": kind,
            "interaction": [{"code": "read"}, {"code": "search-type"}],
            "searchParam": [
                {"name": name, "type": param_type, "documentation": _SEARCH_NOTES.get(name, "")}
                for name, param_type in search_parameters(kind)
            ]
            + RESULT_SEARCH,
            "documentation": "Signed requests from peers with the 'record' grant only.",
        }
        for kind in RESOURCE_TABLES
    ]
    resources += [
        {"type": kind, "interaction": [{"code": "read"}, {"code": "search-type"}]}
        for kind in ("CodeSystem", "ValueSet", "Questionnaire")
    ]
    resources.append(
        {
            "type": "Measure",
            "interaction": [{"code": "read"}, {"code": "search-type"}],
            "operation": [
                {
                    "name": "evaluate-measure",
                    "definition": "http://hl7.org/fhir/OperationDefinition/Measure-evaluate-measure",
                    "documentation": "Signed (RFC 9421) by a peer with the 'aggregate' grant.",
                },
                *(
                    {
                        "name": f"overlap-{step}",
                        "definition": f"https://ketanet.org/fhir/OperationDefinition/overlap-{step}",
                        "documentation": (
                            "A round of the cross-border overlap (private set intersection "
                            "cardinality); signed by a peer with the 'aggregate' grant."
                        ),
                    }
                    for step in ("blind", "reblind", "count")
                ),
            ],
        }
    )
    return fhir_json(
        {
            "resourceType": "CapabilityStatement",
            "status": "active",
            "date": "2026-11-22",
            "kind": "instance",
            "software": {"name": "KetaNet node", "version": __version__},
            "implementation": {
                "description": f"KetaNet node {ctx.settings.node.id} ({ctx.settings.node.country})",
                "url": ctx.settings.node.public_url + "/fhir",
            },
            "fhirVersion": "4.0.1",
            "format": ["application/fhir+json"],
            "rest": [{"mode": "server", "resource": resources}],
        }
    )


@router.get("/Measure")
def list_measures() -> OrjsonResponse:
    """The measure catalogue as a searchset Bundle."""
    return fhir_json(searchset(list(published_measures().values())))


@router.get("/Measure/{measure_id}")
def read_measure(measure_id: str) -> OrjsonResponse:
    """One catalogue measure; 404 when unknown."""
    measure = published_measures().get(measure_id)
    if measure is None:
        raise NotFound(f"Measure/{measure_id}: no such resource")
    return fhir_json(measure)


@router.get("/CodeSystem")
def list_code_systems() -> OrjsonResponse:
    """The registry's code systems."""
    return fhir_json(searchset(code_systems()))


@router.get("/CodeSystem/{system_id}")
def read_code_system(system_id: str) -> OrjsonResponse:
    """One code system; 404 when unknown."""
    return fhir_json(_by_id(code_systems(), "CodeSystem", system_id))


@router.get("/ValueSet")
def list_value_sets() -> OrjsonResponse:
    """The registry's value sets."""
    return fhir_json(searchset(value_sets()))


@router.get("/ValueSet/{value_set_id}")
def read_value_set(value_set_id: str) -> OrjsonResponse:
    """One value set; 404 when unknown."""
    return fhir_json(_by_id(value_sets(), "ValueSet", value_set_id))


@router.get("/Questionnaire")
def list_questionnaires() -> OrjsonResponse:
    """The questionnaires the registry records answers to (the PREM), for clinics to render."""
    return fhir_json(searchset([prem_questionnaire()]))


@router.get("/Questionnaire/{questionnaire_id}")
def read_questionnaire(questionnaire_id: str) -> OrjsonResponse:
    """One questionnaire; 404 when unknown."""
    return fhir_json(_by_id([prem_questionnaire()], "Questionnaire", questionnaire_id))
