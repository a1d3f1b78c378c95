"""Check a query against the published FHIR ``Measure`` catalogue before it leaves the hub.

Nodes refuse anything outside the catalogue anyway; checking here gives the analyst one clear
reason instead of one refusal per node, and keeps refused queries out of the hub's records.
"""

from __future__ import annotations

from typing import Any

from app.errors import InputError

FILTER_URL = "https://ketanet.org/fhir/StructureDefinition/measure-filter"
PARAMETER_URL = "https://ketanet.org/fhir/StructureDefinition/measure-parameter"


def _parts(extension: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Return a complex extension's single-valued parts and its repeated ``value`` codes."""
    single: dict[str, Any] = {}
    values: list[str] = []
    for part in extension.get("extension", []):
        value = next((v for k, v in part.items() if k.startswith("value")), None)
        if part["url"] == "value":
            values.append(str(value))
        else:
            single[part["url"]] = value
    return single, values


def allowed_filters(measure: dict[str, Any]) -> dict[str, list[str]]:
    """Return filter key -> allowed values of a catalogue measure."""
    filters = {}
    for extension in measure.get("extension", []):
        if extension.get("url") == FILTER_URL:
            single, values = _parts(extension)
            filters[str(single["key"])] = values
    return filters


def allowed_parameters(measure: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Return parameter name -> {type, required, values} of a catalogue measure."""
    parameters = {}
    for extension in measure.get("extension", []):
        if extension.get("url") == PARAMETER_URL:
            single, values = _parts(extension)
            parameters[str(single["name"])] = {
                "type": single.get("type"),
                "required": bool(single.get("required")),
                "values": values,
            }
    return parameters


def allowed_stratifiers(measure: dict[str, Any]) -> set[str]:
    """Return the stratifier ids any population of a catalogue measure accepts."""
    return {
        stratifier.get("code", {}).get("text") or stratifier.get("id")
        for group in measure.get("group", [])
        for stratifier in group.get("stratifier", [])
    }


def check_against_catalogue(
    measure: dict[str, Any],
    filters: dict[str, list[str]],
    stratify: list[str],
    parameters: dict[str, Any],
) -> None:
    """Refuse a filter, stratifier or parameter the measure does not publish; raises ``InputError``."""
    known_filters = allowed_filters(measure)
    for key, values in filters.items():
        if key not in known_filters:
            raise InputError(
                f"filter {key}: not a filter of {measure['id']} ({', '.join(known_filters)})"
            )
        unknown = [value for value in values if value not in known_filters[key]]
        if unknown or not values:
            raise InputError(
                f"filter {key}: unknown value (allowed: {', '.join(known_filters[key])})"
            )
    strata = allowed_stratifiers(measure)
    for stratifier in stratify:
        if stratifier not in strata:
            raise InputError(
                f"stratify {stratifier}: not a stratifier of {measure['id']} ({', '.join(sorted(strata))})"
            )
    known_parameters = allowed_parameters(measure)
    for name, value in parameters.items():
        spec = known_parameters.get(name)
        if spec is None:
            raise InputError(f"parameter {name}: not a parameter of {measure['id']}")
        if spec["values"] and str(value) not in spec["values"]:
            raise InputError(
                f"parameter {name}: unknown value (allowed: {', '.join(spec['values'])})"
            )
        if spec["type"] == "decimal" and not isinstance(value, int | float):
            raise InputError(f"parameter {name}: must be a number")
    missing = [
        name
        for name, spec in known_parameters.items()
        if spec["required"] and name not in parameters
    ]
    if missing:
        raise InputError(f"parameter {missing[0]}: required by {measure['id']}")
