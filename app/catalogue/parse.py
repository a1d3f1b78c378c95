"""Read one FHIR ``Measure`` resource of the catalogue into a ``MeasureDefinition``.

Each ``Measure`` lists its populations (one ``group`` each) with the stratifiers that apply to them,
and, in KetaNet extensions, the filters and parameters it takes with their allowed values.
"""

from __future__ import annotations

from typing import Any

from app.catalogue.definitions import (
    PERIOD_YEARS,
    MeasureDefinition,
    ParameterSpec,
    PopulationSpec,
    StratifierSpec,
)
from app.errors import ConfigError

SD = "https://ketanet.org/fhir/StructureDefinition/"


def parse_measure(resource: dict[str, Any]) -> MeasureDefinition:
    """Return the definition a catalogue ``Measure`` resource holds; raises ``ConfigError``."""
    extensions = resource.get("extension", [])
    filters = {
        _sub(ext, "key")[0]: tuple(_sub(ext, "value"))
        for ext in extensions
        if ext["url"] == SD + "measure-filter"
    }
    parameters = {}
    for ext in extensions:
        if ext["url"] != SD + "measure-parameter":
            continue
        name = _sub(ext, "name")[0]
        defaults = _sub(ext, "default")
        parameters[name] = ParameterSpec(
            name=name,
            kind=_sub(ext, "type")[0],
            required=bool(_sub(ext, "required")[0]),
            values=tuple(_sub(ext, "value")),
            default=float(defaults[0]) if defaults else None,
        )
    populations = tuple(_population(group) for group in resource["group"])
    known = {population.id for population in populations}
    for population in populations:
        if population.subset_of is not None and population.subset_of not in known - {population.id}:
            raise ConfigError(
                f"Measure {resource['id']} group {population.id}: population-subset-of names "
                f"{population.subset_of}, not another population of the measure"
            )
    return MeasureDefinition(
        id=resource["id"],
        version=resource["version"],
        populations=populations,
        filters=filters,
        parameters=parameters,
    )


def _population(group: dict[str, Any]) -> PopulationSpec:
    extensions = group.get("extension", [])
    unit = next(e["valueCode"] for e in extensions if e["url"] == SD + "population-unit")
    condition = next(
        (e["valueString"] for e in extensions if e["url"] == SD + "population-condition"), None
    )
    method = next(
        (e["valueCode"] for e in extensions if e["url"] == SD + "population-method"), "count"
    )
    if method not in ("count", "private-set-intersection"):
        raise ConfigError(f"Measure group {group['id']}: unknown population-method {method}")
    stratifiers = {}
    for entry in group.get("stratifier", []):
        stratifier_id = entry["code"]["coding"][0]["code"]
        ext = entry.get("extension", [])
        period_years = any(
            e["url"] == SD + "stratifier-domain" and e.get("valueCode") == "period-years"
            for e in ext
        )
        values = tuple(e["valueCode"] for e in ext if e["url"] == SD + "stratifier-value")
        overlap = any(e.get("valueBoolean") for e in ext if e["url"] == SD + "strata-overlap")
        stratifiers[stratifier_id] = StratifierSpec(
            id=stratifier_id, values=PERIOD_YEARS if period_years else values, overlap=overlap
        )
    subset = next((e for e in extensions if e["url"] == SD + "population-subset-of"), None)
    parents = _sub(subset, "population") if subset is not None else []
    if subset is not None and len(parents) != 1:
        raise ConfigError(f"Measure group {group['id']}: population-subset-of needs one population")
    return PopulationSpec(
        id=group["id"],
        unit=unit,
        stratifiers=stratifiers,
        condition=_condition(group["id"], condition) if condition else None,
        subset_of=parents[0] if parents else None,
        nested_strata=frozenset(_sub(subset, "stratifier")) if subset is not None else frozenset(),
        method="count" if method == "count" else "private-set-intersection",
    )


def _condition(population: str, text: str) -> tuple[str, str]:
    """Return ``(parameter, value)`` of a ``parameter=value`` condition; raises ``ConfigError``."""
    parameter, sep, value = text.partition("=")
    if not sep or not parameter or not value:
        raise ConfigError(f"Measure group {population}: population-condition must read name=value")
    return parameter, value


def _sub(extension: dict[str, Any], url: str) -> list[Any]:
    """Return the values of the sub-extensions of ``extension`` named ``url``."""
    return [
        next(value for key, value in sub.items() if key.startswith("value"))
        for sub in extension.get("extension", [])
        if sub["url"] == url
    ]
